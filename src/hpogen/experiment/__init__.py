"""Research-experiment packages: MethodSpec -> the 8-file package (`hpogen basecode`, then
`hpogen derive`). A flow of its own beside the bundle flow; it shares only the top-level
pieces (errors, inputs, tables, codegen). Filled by the basecode/derive work.
"""
