/**
 * Images: decoding untrusted image bytes safely (sharp), exact (MD5, SHA-256) and perceptual (PDQ) hashes.
 * See README.md in this folder.
 */
export { type DecodedImage, type ImageFormat, type ImageLimits, DEFAULT_IMAGE_LIMITS, IMAGE_FORMATS, WORKING_SIZE, decodeImage, lumaOf } from './decode.ts';
export { type HashedImage, type ImageHashes, hashDecoded, hashImage } from './hashing.ts';
export {
  type DihedralOrientation,
  type PdqHash,
  type PdqResult,
  DIHEDRAL_ORIENTATIONS,
  hammingDistance,
  pdqDihedralFromLuma,
  pdqFromHex,
  pdqFromLuma,
  pdqToHex,
} from './pdq.ts';
export {
  type BankChange,
  type BankInput,
  type BankMatch,
  type BankPatch,
  type BankView,
  type CurrentPolicy,
  type HashEntryInput,
  type HashEntryView,
  type HashKind,
  DEFAULT_BANK_THRESHOLD,
  HASH_KINDS,
  HashBanks,
  MAX_BANK_THRESHOLD,
  parsePdqText,
} from './banks.ts';
export { PdqIndex } from './matcher.ts';
export {
  type ClassifierStatus,
  type ImageClassification,
  type ImageModelCategory,
  type NsfwClass,
  CLASSIFIER_INPUT_SIZE,
  IMAGE_MODEL_CATEGORIES,
  IMAGE_MODEL_ID,
  ImageClassifier,
  NSFW_CLASSES,
  SEXY_WEIGHT,
  imageClassifierFromEnv,
  imageScores,
} from './classifier.ts';
export { type ImageFetchOptions, DEFAULT_FETCH_OPTIONS, IMAGE_BODY_LIMIT, imageBytes, imageFetchOptionsFromEnv } from './sources.ts';
export { type ImageSettingsView, ImageSettings } from './settings.ts';
export { type ImageEvidence, type ImageFinding, type ImagePart, ImageJudge, MAX_IMAGES_PER_REQUEST, bankViolations } from './judge.ts';
