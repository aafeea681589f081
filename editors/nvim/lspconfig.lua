-- refls for users of nvim-lspconfig (which has no built-in entry for it): registers refls as
-- a custom server, then sets it up like any other. Put this in your config after
-- nvim-lspconfig is loaded. On Neovim 0.11+ without the plugin, use `lsp/refls.lua` instead
-- (see README.md next to this file).

local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

-- Registering twice would replace a user's own definition when this file is sourced again.
if not configs.refls then
  configs.refls = {
    default_config = {
      cmd = { 'refls' },
      filetypes = { 'markdown', 'quarto', 'rmd', 'tex', 'plaintex', 'typst', 'org', 'text' },
      -- The workspace root decides the corpus: `refls.toml`, else a `seeds/` folder, else
      -- the repository; without a root the server uses the seeds built into its binary.
      root_dir = util.root_pattern('refls.toml', 'seeds', '.git'),
      single_file_support = true,
      -- Same keys as `refls.toml`: corpus (paths or globs), completionLimit,
      -- diagnosticsDelayMs. `vim.empty_dict()` so that no settings are sent as `{}`, not `[]`.
      init_options = vim.empty_dict(),
    },
    docs = {
      description = 'refls: citation keys in Markdown, LaTeX, Typst and Org resolved against saved article pages.',
    },
  }
end

require('lspconfig').refls.setup({
  -- For a debug build of the server:
  -- cmd = { '/path/to/refls/target/debug/refls' },
  -- init_options = { corpus = { 'library' }, completionLimit = 20 },
})
