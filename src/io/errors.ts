/** Bad input from the user (missing file, unknown column, unreadable format): the CLI exits with 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
