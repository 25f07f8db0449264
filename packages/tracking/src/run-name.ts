import { randomInt } from 'node:crypto';

// Word lists in the spirit of MLflow's generated run names (`<adjective>-<noun>-<n>`).
const ADJECTIVES = [
  'able', 'bold', 'brave', 'bright', 'calm', 'clean', 'clever', 'crisp', 'eager', 'fair',
  'fast', 'fine', 'gentle', 'glad', 'grand', 'happy', 'keen', 'kind', 'light', 'lucky',
  'merry', 'neat', 'nice', 'polite', 'proud', 'quick', 'quiet', 'rare', 'rich', 'shy',
  'smart', 'sunny', 'sweet', 'swift', 'tidy', 'vivid', 'warm', 'wise', 'witty', 'zesty',
] as const;
const NOUNS = [
  'ant', 'bass', 'bat', 'bee', 'cat', 'cod', 'colt', 'crab', 'crow', 'deer', 'dog', 'doe',
  'duck', 'eel', 'elk', 'fawn', 'fish', 'fly', 'fox', 'frog', 'gnu', 'goat', 'hare', 'hawk',
  'hen', 'jay', 'koi', 'lamb', 'lark', 'lynx', 'mole', 'moth', 'mule', 'newt', 'owl', 'ox',
  'pig', 'ram', 'seal', 'slug', 'snail', 'swan', 'toad', 'wasp', 'wolf', 'wren', 'yak',
] as const;

/** A fresh run name like MLflow's: `<adjective>-<noun>-<0..999>`, at most 20 characters. */
export function generateRunName(): string {
  const a = ADJECTIVES[randomInt(ADJECTIVES.length)]!;
  const n = NOUNS[randomInt(NOUNS.length)]!;
  return `${a}-${n}-${randomInt(1000)}`;
}
