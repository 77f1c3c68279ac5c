export { ApiModule } from './api.module.js';
export { configureHttp } from './configure-http.js';
export { apiApp } from './api.app.js';
