module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: require('@paved/plugin-scaffolder-node/eslintActionRules'),
});
