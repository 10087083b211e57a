/**
 * Helpers the nodes and the runtime share with the client. Not the package's API (that is
 * `./index`): they may change in any release.
 */
export { fingerprint } from './auth/file-token-store';
export { errorFromBody, isObject, parseReply, type RawReply } from './envelope';
export { parseForm, type ParsedForm, type ParseFormOptions } from './query-string';
export { JsonFile, MemoryDocument, type JsonDocument } from './storage/json-document';
export {
    documentName,
    FileDocumentStore,
    MemoryDocumentStore,
    type DocumentStore,
} from './storage/document-store';
export { writeFileAtomic } from './storage/write-file-atomic';
export * from './storage/redis';
