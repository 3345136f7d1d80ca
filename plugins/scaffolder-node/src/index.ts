/**
 * What Paved's scaffolder modules share.
 *
 * @packageDocumentation
 */
export { applyInputDefaults, withInputDefaults } from './withInputDefaults';
