-- End-to-end test of the Neovim plugin against the real ris-lsp binary (Neovim 0.11+).
-- From the repository root, with ris-lsp on PATH:
--   nvim --headless --clean --cmd 'set rtp+=editors/nvim' -l editors/nvim/test/e2e.lua
-- Prints one line per check, then `N passed, M failed`; exits non-zero on failure.

local ERROR = vim.diagnostic.severity.ERROR
local TIMEOUT = 10000

-- print() goes to stderr under `nvim -l`; results go to stdout.
local function say(line)
  io.stdout:write(line, '\n')
end

local passed, failed = 0, 0
local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    say('ok   ' .. name)
  else
    failed = failed + 1
    say('FAIL ' .. name .. (detail ~= nil and ('\n     got: ' .. vim.inspect(detail)) or ''))
  end
end

-- The fixture goes into a fresh project directory (a `.git` marks its root).
local here = vim.fs.dirname(debug.getinfo(1, 'S').source:sub(2))
local dir = vim.fn.tempname()
vim.fn.mkdir(dir .. '/.git', 'p')
local file = dir .. '/records.ris'
vim.fn.writefile(vim.fn.readfile(here .. '/fixtures/records.ris', 'b'), file, 'b')

local function diagnostics(buf, code)
  return vim.tbl_filter(function(d)
    return d.code == code
  end, vim.diagnostic.get(buf))
end

-- Sends a request at a 0-based position (the fixture is ASCII, so every offset encoding agrees).
local function request(buf, method, line, character)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = line, character = character } }
  local responses = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT) or {}
  local _, response = next(responses)
  return response and response.result
end

local function completion_labels(buf, line, character)
  local result = request(buf, 'textDocument/completion', line, character) or {}
  local labels = {}
  for _, item in ipairs(result.items or result) do
    labels[item.label] = item
  end
  return labels
end

-- Waits until an initialized client named ris_lsp is attached to `buf`.
local function attached_client(buf)
  local client
  vim.wait(TIMEOUT, function()
    client = vim.lsp.get_clients({ bufnr = buf, name = 'ris_lsp' })[1]
    return client ~= nil and client.initialized
  end, 20)
  return client
end

local function run()
  check('ris-lsp is on PATH', vim.fn.executable('ris-lsp') == 1, vim.env.PATH)

  -- The plugin's own config (lsp/ris_lsp.lua), plus an on_exit hook to see how the server ends.
  local exit
  vim.lsp.config('ris_lsp', {
    on_exit = function(code, signal)
      exit = { code = code, signal = signal }
    end,
  })
  vim.lsp.enable('ris_lsp')

  vim.cmd.edit(vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  check('filetype is ris', vim.bo[buf].filetype == 'ris', vim.bo[buf].filetype)

  -- syntax/ris.vim: syntax group names at 1-based (line, column).
  local groups = {}
  for _, at in ipairs({ { 1, 1 }, { 1, 3 }, { 1, 7 }, { 2, 1 }, { 2, 3 }, { 6, 1 }, { 16, 7 } }) do
    groups[#groups + 1] = vim.fn.synIDattr(vim.fn.synID(at[1], at[2], 1), 'name')
  end
  local want = { 'risTypeTag', 'risTypeSeparator', 'risType', 'risTag', 'risSeparator', 'risEnd', 'risType' }
  check('syntax highlights the TY tag, separator, type, other tags and ER', vim.deep_equal(groups, want), groups)

  local client = attached_client(buf)
  check('the ris_lsp client attaches with cmd ris-lsp', client ~= nil and client.config.cmd[1] == 'ris-lsp')
  if not client then
    return
  end
  check('the client root is the project directory', client.root_dir == dir, client.root_dir)

  -- Diagnostics (0-based lines): the unclosed record starts on line 7, the unknown type is on line 15.
  vim.wait(TIMEOUT, function()
    return #diagnostics(buf, 'RIS010') > 0 and #diagnostics(buf, 'RIS020') > 0
  end, 20)
  local missing_er = diagnostics(buf, 'RIS010')
  check(
    'one RIS010 error (missing ER) on the unclosed record TY line',
    #missing_er == 1 and missing_er[1].lnum == 7 and missing_er[1].severity == ERROR and missing_er[1].source == 'ris-lsp',
    missing_er
  )
  local bad_type = diagnostics(buf, 'RIS020')
  check(
    'one RIS020 error (unknown type) on the JOURX value',
    #bad_type == 1 and bad_type[1].lnum == 15 and bad_type[1].col == 6 and bad_type[1].severity == ERROR,
    bad_type
  )
  local good = vim.tbl_filter(function(d)
    return d.lnum <= 5
  end, vim.diagnostic.get(buf, { severity = ERROR }))
  check('no errors in the well-formed record', #good == 0, good)

  local hover = request(buf, 'textDocument/hover', 1, 0)
  local hover_text = hover and table.concat(vim.lsp.util.convert_input_to_markdown_lines(hover.contents), '\n') or ''
  check('hover on AU mentions "Author"', hover_text:find('Author') ~= nil, hover_text)

  local types = completion_labels(buf, 0, 10)
  check('completion after "TY  - " offers JOUR', types.JOUR ~= nil, vim.tbl_keys(types))

  -- Fix the unclosed record: its RIS010 goes away, RIS020 moves down one line.
  vim.api.nvim_buf_set_lines(buf, 10, 10, false, { 'ER  - ' })
  vim.wait(TIMEOUT, function()
    local moved = diagnostics(buf, 'RIS020')[1]
    return #diagnostics(buf, 'RIS010') == 0 and moved ~= nil and moved.lnum == 16
  end, 20)
  check('inserting the missing ER line clears RIS010', #diagnostics(buf, 'RIS010') == 0, diagnostics(buf, 'RIS010'))
  check('... and the diagnostics were republished for the edit', (diagnostics(buf, 'RIS020')[1] or {}).lnum == 16)

  -- Completion on a new empty line inside the first record, then on a partial tag.
  vim.api.nvim_buf_set_lines(buf, 2, 2, false, { '' })
  local tags = completion_labels(buf, 2, 0)
  check('completion at a line start offers AU and TI', tags.AU ~= nil and tags.TI ~= nil, vim.tbl_keys(tags))
  local au = tags.AU or {}
  local au_text = au.textEdit and au.textEdit.newText or au.insertText
  check('the AU item inserts "AU  - "', au_text == 'AU  - ', au)
  vim.api.nvim_buf_set_lines(buf, 2, 3, false, { 'T' })
  check('completion on the partial tag "T" offers TI', completion_labels(buf, 2, 1).TI ~= nil)

  -- A clean stop: the server answers shutdown, then exits by itself on the exit notification.
  client:stop()
  local gone = vim.wait(TIMEOUT, function()
    return exit ~= nil and #vim.lsp.get_clients({ name = 'ris_lsp' }) == 0
  end, 20)
  check(
    'the server exits with code 0 on shutdown + exit',
    exit ~= nil and exit.code == 0 and exit.signal == 0,
    exit or 'still running 10 s after the exit notification'
  )
  if not gone then
    client.rpc.terminate() -- kill it (stop(true) is a no-op once stopping), so the next check starts clean
    vim.wait(TIMEOUT, function()
      return #vim.lsp.get_clients({ name = 'ris_lsp' }) == 0
    end, 20)
  end

  -- The 0.9/0.10 entry point, with cmd overridden by an absolute path.
  vim.lsp.enable('ris_lsp', false)
  local absolute = vim.fn.exepath('ris-lsp')
  require('ris_lsp').setup({ cmd = { absolute } })
  local legacy = attached_client(buf)
  check('require("ris_lsp").setup{cmd=...} attaches a client', legacy ~= nil and legacy.config.cmd[1] == absolute)
  if legacy then
    legacy:stop()
  end

  -- root_markers: a folder with a ris-lsp.toml is the root, before the .git above it,
  -- and the server reads that file (RIS010 off there).
  vim.wait(TIMEOUT, function()
    return #vim.lsp.get_clients({ name = 'ris_lsp' }) == 0
  end, 20)
  vim.api.nvim_del_augroup_by_name('ris_lsp')
  vim.lsp.enable('ris_lsp')
  local sub = dir .. '/sub'
  vim.fn.mkdir(sub, 'p')
  vim.fn.writefile({ '[severity]', 'RIS010 = "off"' }, sub .. '/ris-lsp.toml')
  vim.fn.writefile({ 'TY  - JOUR', 'TI  - never closed', 'TY  - JOURX', 'ER  - ' }, sub .. '/refs.ris')
  vim.cmd.edit(vim.fn.fnameescape(sub .. '/refs.ris'))
  local nested_buf = vim.api.nvim_get_current_buf()
  local nested = attached_client(nested_buf)
  check('a folder with ris-lsp.toml is the root (root_markers)', nested ~= nil and nested.root_dir == sub, nested and nested.root_dir)
  vim.wait(TIMEOUT, function()
    return #diagnostics(nested_buf, 'RIS020') > 0
  end, 20)
  check(
    '... and its ris-lsp.toml applies: RIS020 reported, RIS010 off',
    #diagnostics(nested_buf, 'RIS020') == 1 and #diagnostics(nested_buf, 'RIS010') == 0,
    vim.diagnostic.get(nested_buf)
  )
  if nested then
    nested:stop()
  end
end

local ok, err = xpcall(run, debug.traceback)
if not ok then
  check('the test script ran to the end', false, err)
end
vim.fn.delete(dir, 'rf')
say(string.format('%d passed, %d failed', passed, failed))
vim.cmd(failed == 0 and 'qall!' or 'cquit 1')
