/** Exit code of the CORS commands for input they cannot work with (an unknown path, a malformed origin or setting). */
export const EXIT_BAD_INPUT = 2;
