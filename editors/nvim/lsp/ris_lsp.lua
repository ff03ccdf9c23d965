-- Config for Neovim 0.11+: `vim.lsp.enable('ris_lsp')` (override with `vim.lsp.config('ris_lsp', {...})`).
return {
  cmd = { 'ris-lsp' },
  filetypes = { 'ris' },
  root_markers = { 'ris-lsp.toml', '.git' },
}
