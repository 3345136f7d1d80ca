export { scaffolderModulePaved as default } from './module';
