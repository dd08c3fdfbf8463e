/**
 * The workshop password (`EmulatorOptions.workshopPassword`): participants read it off the
 * instructor's screen and type it into a git remote, so it avoids look-alike characters and
 * comes in groups, while its ~60 random bits keep guessing out of reach on a room's network.
 */
import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 3;
const GROUP_LENGTH = 4;

/** A fresh password such as `k7mq-x2ne-rt9a`. */
export function newWorkshopPassword(): string {
  const group = () =>
    Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return Array.from({ length: GROUPS }, group).join('-');
}
