// Public entry of @citypulse/firmware: the firmware catalogue (images, "in use" marks), image storage and download
// tokens.
export {
  type FirmwareImage,
  FIRMWARE_VERSION_PATTERN,
  SHA256_HEX_PATTERN,
  FIRMWARE_IMAGE_ID_PATTERN,
} from './firmware-image.js';
export {
  FirmwareCatalogue,
  FirmwareVersionExistsError,
  type ImageQuery,
  type RemoveResult,
} from './firmware-catalogue.js';
export { FirmwareKeys } from './keys.js';
export { type FirmwareBlobStore, type BlobWriter, type ByteRange, BlobNotFoundError } from './blob-store.js';
export { DirectoryBlobStore } from './directory-blob-store.js';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
export { SignatureVerifier, type ImageSignatureCheck } from './signature.js';
export { receiveImage, ImageTooLargeError, type ReceivedImage } from './receive-image.js';
export { DownloadTokens, type DownloadGrant } from './download-token.js';
export { parseRange, type RangeRequest } from './byte-range.js';
export { firmwareUpdateParams, type FirmwareUpdateParams } from './update-params.js';
