-- Neovim 0.11+ configuration for refls, the language server for citation keys in research
-- notes. Neovim finds this file on the runtimepath as `lsp/refls.lua`, so after
-- `vim.lsp.enable('refls')` the server starts for the filetypes below; anything given to
-- `vim.lsp.config('refls', { ... })` is merged over this table (for example another `cmd`).
--
-- The server keeps one corpus per workspace root: `refls.toml` there if present, else a
-- `seeds/` folder of saved article pages, else the seeds built into the binary.

---@type vim.lsp.Config
return {
  -- `refls` with no arguments serves LSP on stdin/stdout (so does `refls lsp`).
  cmd = { 'refls' },
  -- Every dialect the server reads citations from: Pandoc Markdown (also inside Quarto and
  -- R Markdown), LaTeX, Typst, Org, and DOIs in plain text.
  -- `bib` for the code lens on BibTeX entries ("cited 3× in 2 manuscripts").
  filetypes = { 'markdown', 'quarto', 'rmd', 'tex', 'plaintex', 'typst', 'org', 'text', 'bib' },
  -- `seeds` is listed before `.git` so that a corpus folder inside a larger repository is
  -- its own workspace; `refls.toml` wins over both because it says where the corpus is.
  root_markers = { 'refls.toml', 'seeds', '.git' },
  -- Settings, the same keys as `refls.toml` (values given here win over the file):
  --   corpus             list of paths or globs relative to the root, e.g. { 'library', 'refs/*.txt' }
  --                      (default: `seeds/` under the root, else the built-in seeds)
  --   completionLimit    most completion items per answer (default 50)
  --   diagnosticsDelayMs quiet time after the last edit before diagnostics (default: adaptive)
  -- An empty dictionary rather than `{}`: Neovim encodes an empty Lua table as the JSON
  -- array `[]`, and the settings are an object.
  init_options = vim.empty_dict(),
  -- The command of the code lens on bibliography entries and saved pages: the citations of
  -- that work in every manuscript of the workspace, in the quickfix list. (Run a lens with
  -- `vim.lsp.codelens.run()`; show lenses with `vim.lsp.codelens.refresh({ bufnr = 0 })`.)
  commands = {
    ['refls.showReferences'] = function(command, ctx)
      local client = assert(vim.lsp.get_client_by_id(ctx.client_id))
      local params = {
        textDocument = { uri = command.arguments[1] },
        position = command.arguments[2],
        context = { includeDeclaration = false },
      }
      client:request('textDocument/references', params, function(err, result)
        if err or not result or #result == 0 then
          vim.notify('refls: no manuscript cites this work', vim.log.levels.INFO)
          return
        end
        local items = vim.lsp.util.locations_to_items(result, client.offset_encoding)
        vim.fn.setqflist({}, ' ', { title = 'Citations', items = items })
        vim.cmd('botright copen')
      end, ctx.bufnr)
    end,
  },
}
