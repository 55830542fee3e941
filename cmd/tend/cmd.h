/*
 * cmd.h — the subcommands of the tend program. Each parses its own
 * arguments, calls into libtend and turns the result into an exit code.
 */
#ifndef TEND_CMD_H
#define TEND_CMD_H

int cmd_render(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Prints "tend: error: <last error>" to stderr; returns the exit code given. */
int cmd_fail(int code);

#endif
