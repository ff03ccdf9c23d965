-- RIS bibliography files.
vim.filetype.add({ extension = { ris = 'ris' } })
