-- End-to-end check of refls inside a real Neovim, driven by `tests/nvim_e2e.rs`: it loads the
-- project's own `editors/nvim/lsp/refls.lua` through `vim.lsp.enable` (only `cmd` is replaced,
-- by the binary under test), opens a Markdown and a LaTeX manuscript of a temporary workspace,
-- and records what Neovim's built-in client got for hover, completion, definition and
-- diagnostics. It asserts nothing itself: it writes everything as JSON for the Rust test to
-- judge, so that a failure there shows the whole exchange.
--
-- Run as `nvim --headless --clean -u NONE -S e2e.lua` with these environment variables:
--   REFLS_E2E_BIN        the refls binary
--   REFLS_E2E_RTP        the repository's `editors/nvim` directory
--   REFLS_E2E_WORKSPACE  a workspace holding `seeds/`, `review.md` and `review.tex`
--   REFLS_E2E_OUT        where to write the JSON
-- Whatever happens, the script writes the JSON (with an `error` field on failure) and quits;
-- a global deadline guards against a server that never answers.

local TOTAL_MS = 30000
local STEP_MS = 10000

local out_path = os.getenv('REFLS_E2E_OUT')
local results = { steps = {} }
local started = vim.uv.now()
local finished = false

local function write_json(tbl)
  local file = assert(io.open(out_path, 'w'))
  file:write(vim.json.encode(tbl))
  file:close()
end

-- Ends Neovim with the JSON written. `cquit` keeps the exit status non-zero on failure so that
-- the Rust side can tell a crash of the script from a server that answered wrongly.
local function finish(err)
  if finished then
    return
  end
  finished = true
  if err then
    results.error = err
  end
  results.elapsed_ms = vim.uv.now() - started
  write_json(results)
  if err then
    vim.cmd('cquit 3')
  else
    vim.cmd('qall!')
  end
end

-- The deadline fires even while a step is blocked in `vim.wait`, because `vim.wait` keeps
-- running the event loop and therefore scheduled callbacks.
local deadline = vim.uv.new_timer()
deadline:start(
  TOTAL_MS,
  0,
  vim.schedule_wrap(function()
    finish(('global timeout: the script did not finish within %d ms (last step: %s)'):format(
      TOTAL_MS,
      results.steps[#results.steps] or 'none'
    ))
  end)
)

local function step(name)
  table.insert(results.steps, name)
end

local function remaining_ms()
  return math.max(1, TOTAL_MS - (vim.uv.now() - started))
end

--- Polls `cond` until it returns a truthy value, and returns that value.
local function wait_for(what, cond)
  local value
  local ok = vim.wait(math.min(STEP_MS, remaining_ms()), function()
    value = cond()
    return value ~= nil and value ~= false
  end, 20)
  if not ok then
    error(('timed out waiting for %s'):format(what), 0)
  end
  return value
end

--- The 0-based line and byte column of the first occurrence of `needle` in `buf`.
local function find(buf, needle)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local col = line:find(needle, 1, true)
    if col then
      return i - 1, col - 1
    end
  end
  error(('%q is not in buffer %d'):format(needle, buf), 0)
end

--- Position parameters built by hand: the manuscripts are ASCII, so a byte column is also
--- the UTF-16 (or UTF-8, or UTF-32) character the server negotiated.
local function params_at(buf, line, character)
  return {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = character },
  }
end

--- One request through Neovim's client, answered by `client` alone.
local function request(buf, client, method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, math.min(STEP_MS, remaining_ms()))
  if not responses then
    error(('%s: no response (%s)'):format(method, tostring(err)), 0)
  end
  local response = responses[client.id]
  if not response then
    error(('%s: no response from client %d'):format(method, client.id), 0)
  end
  if response.err or response.error then
    error(('%s: server error %s'):format(method, vim.inspect(response.err or response.error)), 0)
  end
  return response.result
end

--- Diagnostics of `buf` as plain data. Where the LSP code lives has moved between Neovim
--- versions (`code`, or `user_data.lsp.code`), so both are read.
local function diagnostics(buf)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(found, {
      code = d.code or lsp.code,
      severity = d.severity,
      message = d.message,
      source = d.source or lsp.source,
      lnum = d.lnum,
      col = d.col,
      end_col = d.end_col,
    })
  end
  table.sort(found, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return found
end

local function has_code(buf, code)
  for _, d in ipairs(diagnostics(buf)) do
    if d.code == code then
      return true
    end
  end
  return false
end

local function hover_text(result)
  if not result then
    return vim.NIL
  end
  local contents = result.contents
  if type(contents) == 'string' then
    return contents
  elseif contents.value then
    return contents.value
  end
  local parts = {}
  for _, part in ipairs(contents) do
    table.insert(parts, type(part) == 'string' and part or part.value)
  end
  return table.concat(parts, '\n')
end

--- Labels of a completion answer, plus the item for `key` (to check its text edit).
local function completion_summary(result, key)
  local items = result and (result.items or result) or {}
  local labels, chosen = {}, vim.NIL
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
    if item.label == key then
      chosen = item
    end
  end
  return {
    labels = labels,
    is_incomplete = result and result.isIncomplete or false,
    item = chosen ~= vim.NIL and { textEdit = chosen.textEdit, insertText = chosen.insertText } or vim.NIL,
  }
end

--- Types `text` at the end of the line holding `anchor` the way an edit would arrive (through
--- the buffer, so Neovim sends didChange), and returns the position just after it.
local function type_at_end_of(buf, anchor, text)
  local line = find(buf, anchor)
  local current = vim.api.nvim_buf_get_lines(buf, line, line + 1, true)[1]
  vim.api.nvim_buf_set_text(buf, line, #current, line, #current, { text })
  local col = #current + #text
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  return line, col
end

--- Opens `path`, waits for refls to attach and publish, and returns the buffer and client.
local function open(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local client = wait_for('refls to attach to ' .. path, function()
    return vim.lsp.get_clients({ bufnr = buf, name = 'refls' })[1]
  end)
  wait_for('diagnostics of ' .. path, function()
    return #vim.diagnostic.get(buf) > 0
  end)
  return buf, client
end

local function main()
  local workspace = assert(os.getenv('REFLS_E2E_WORKSPACE'), 'REFLS_E2E_WORKSPACE is not set')
  local binary = assert(os.getenv('REFLS_E2E_BIN'), 'REFLS_E2E_BIN is not set')
  local rtp = assert(os.getenv('REFLS_E2E_RTP'), 'REFLS_E2E_RTP is not set')

  -- `-u NONE` leaves filetype detection off, and `vim.lsp.enable` starts servers by filetype.
  vim.cmd('filetype on')
  vim.o.swapfile = false
  vim.o.hidden = true
  vim.opt.runtimepath:prepend(rtp)

  step('config')
  vim.lsp.config('refls', { cmd = { binary } })
  vim.lsp.enable('refls')
  local config = vim.lsp.config.refls
  results.config = {
    files = vim.api.nvim_get_runtime_file('lsp/refls.lua', true),
    cmd = config.cmd,
    filetypes = config.filetypes,
    root_markers = config.root_markers,
  }
  results.log_path = vim.lsp.get_log_path()

  step('open review.md')
  local md, client = open(vim.fs.joinpath(workspace, 'review.md'))
  results.client = {
    name = client.name,
    root_dir = client.root_dir,
    offset_encoding = client.offset_encoding,
    server_info = client.server_info,
    filetype = vim.bo[md].filetype,
  }
  local md_results = { diagnostics = diagnostics(md) }
  results.markdown = md_results

  step('markdown hover')
  local line, col = find(md, 'ikhile2023virtuous')
  md_results.hover = {
    line = line,
    markdown = hover_text(request(md, client, 'textDocument/hover', params_at(md, line, col + 3))),
  }

  step('markdown definition')
  local definition = request(md, client, 'textDocument/definition', params_at(md, line, col + 3))
  local targets = {}
  for _, target in ipairs(definition and (definition.uri and { definition } or definition) or {}) do
    local range = target.targetSelectionRange or target.range
    table.insert(targets, { uri = target.uri or target.targetUri, line = range.start.line })
  end
  md_results.definition = targets

  step('markdown completion')
  local cline, ccol = type_at_end_of(md, 'More reading:', ' [@virt')
  local completion = request(md, client, 'textDocument/completion', params_at(md, cline, ccol))
  md_results.completion = completion_summary(completion, 'ikhile2023virtuous')
  md_results.completion.line = cline
  md_results.completion.character = ccol

  -- Accept the completion and fix the unknown key, then wait for the debounced diagnostics
  -- of those edits: the error must go away, which shows the edits reached the server intact.
  step('markdown edits')
  local item = md_results.completion.item
  if item ~= vim.NIL and item.textEdit then
    -- A copy, because applying an edit annotates the table it is given.
    vim.lsp.util.apply_text_edits({ vim.deepcopy(item.textEdit) }, md, client.offset_encoding)
    local accepted = vim.api.nvim_buf_get_lines(md, cline, cline + 1, true)[1]
    vim.api.nvim_buf_set_text(md, cline, #accepted, cline, #accepted, { ']' })
  end
  local uline, ucol = find(md, 'smith2099nowhere')
  vim.api.nvim_buf_set_text(md, uline, ucol, uline, ucol + #'smith2099nowhere', { 'tapping2023power' })
  md_results.edited_lines = vim.api.nvim_buf_get_lines(md, 0, -1, true)
  wait_for('the unknown-key error to clear after the edits', function()
    return not has_code(md, 'unknown-key') and #vim.diagnostic.get(md) > 0
  end)
  md_results.diagnostics_after_edits = diagnostics(md)

  step('open review.tex')
  local tex, tex_client = open(vim.fs.joinpath(workspace, 'review.tex'))
  local tex_results = {
    client_id = tex_client.id,
    markdown_client_id = client.id,
    filetype = vim.bo[tex].filetype,
    diagnostics = diagnostics(tex),
  }
  results.latex = tex_results

  step('latex hover')
  line, col = find(tex, 'ikhile2023virtuous')
  tex_results.hover = {
    line = line,
    markdown = hover_text(request(tex, tex_client, 'textDocument/hover', params_at(tex, line, col + 3))),
  }

  step('latex completion')
  cline, ccol = type_at_end_of(tex, 'See also', ' \\cite{ikh')
  completion = request(tex, tex_client, 'textDocument/completion', params_at(tex, cline, ccol))
  tex_results.completion = completion_summary(completion, 'ikhile2023virtuous')
  tex_results.completion.line = cline
  tex_results.completion.character = ccol

  -- Issue 12 item 6: workspace symbols, and the semantic tokens Neovim's own highlighter
  -- requested for the LaTeX buffer on display (known and unknown keys).
  step('workspace symbols')
  local symbols = request(tex, tex_client, 'workspace/symbol', { query = 'ikhile 2023' }) or {}
  results.symbols = { workspace = {} }
  for i, symbol in ipairs(symbols) do
    if i <= 3 then
      table.insert(results.symbols.workspace, {
        name = symbol.name,
        container = symbol.containerName,
        uri = symbol.location.uri,
        line = symbol.location.range.start.line,
      })
    end
  end

  step('semantic tokens')
  local function token_at(needle)
    local tline, tcol = find(tex, needle)
    local at = wait_for('a semantic token on ' .. needle, function()
      local found = vim.lsp.semantic_tokens.get_at_pos(tex, tline, tcol + 2)
      return found and #found > 0 and found or nil
    end)
    return { type = at[1].type, modifiers = vim.tbl_keys(at[1].modifiers or {}) }
  end
  results.symbols.known = token_at('ikhile2023virtuous')
  results.symbols.unknown = token_at('nobody2001missing')

  step('done')
end

local ok, err = xpcall(main, debug.traceback)
finish(not ok and tostring(err) or nil)
