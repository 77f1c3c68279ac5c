export { DeadLetterStore, type DeadLetter } from './dead-letter-store.js';
