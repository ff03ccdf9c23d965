-- ris-lsp for Neovim 0.9/0.10, which lack `vim.lsp.enable`:
--   require('ris_lsp').setup({ cmd = { '/path/to/ris-lsp' } })
-- On 0.11+ prefer `vim.lsp.enable('ris_lsp')`, which reads lsp/ris_lsp.lua.
local M = {}

local defaults = {
  cmd = { 'ris-lsp' },
  root_markers = { 'ris-lsp.toml', '.git' },
}

--- Starts (or reuses) the client for one buffer.
local function start(bufnr, opts)
  local file = vim.api.nvim_buf_get_name(bufnr)
  local marker = vim.fs.find(opts.root_markers, { upward = true, path = vim.fs.dirname(file) })[1]
  vim.lsp.start({
    name = 'ris_lsp',
    cmd = opts.cmd,
    root_dir = marker and vim.fs.dirname(marker) or vim.fs.dirname(file),
  }, { bufnr = bufnr })
end

--- @param opts? { cmd?: string[], root_markers?: string[] }
function M.setup(opts)
  opts = vim.tbl_extend('force', defaults, opts or {})
  local group = vim.api.nvim_create_augroup('ris_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'ris',
    callback = function(args)
      start(args.buf, opts)
    end,
  })
  -- Buffers whose FileType event fired before setup().
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype == 'ris' then
      start(bufnr, opts)
    end
  end
end

return M
