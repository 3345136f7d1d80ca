/**
 * Local development sign-in as any User of the catalog.
 *
 * @packageDocumentation
 */
export {
  authModuleLocalUserProvider as default,
  LOCAL_USER_HEADER,
} from './module';
