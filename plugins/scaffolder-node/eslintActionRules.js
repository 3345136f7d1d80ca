// The one way Paved's scaffolder actions apply input defaults (withInputDefaults; see
// README.md): a handler that falls back to a constant for an input field
// (`ctx.input.timeoutSeconds ?? 600`) fails lint, naming the fix.
module.exports = {
  'no-restricted-syntax': [
    'error',
    {
      selector:
        "LogicalExpression[operator='??'][left.type='MemberExpression'][left.object.type='MemberExpression'][left.object.property.name='input'][right.type=/^(Literal|ObjectExpression|ArrayExpression|TemplateLiteral)$/]",
      message:
        "Declare the input's default in the action's schema (z.….default(value)) and wrap the action with withInputDefaults from @paved/plugin-scaffolder-node, instead of `ctx.input.field ?? value`.",
    },
  ],
};
