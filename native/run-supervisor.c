/* The run supervisor (Linux): a child subreaper that keeps every process a script starts under it (issue 9). */
/*
 * Usage: run-supervisor UID GID COMMAND [ARG...]
 *
 * The agent starts this in a new session with fd 3 as a status channel and fd 4 as a start gate: the script is forked
 * only once the agent wrote one byte on fd 4, after it recorded this supervisor in its run journal, so an agent killed
 * at any moment either left nothing running or left a run it can find and end at restart. End of file on fd 4 (the
 * agent died first) starts nothing. It becomes a child subreaper, so a process
 * that leaves the script's session or process group (setsid, setpgid, a double-forked daemon) is re-parented to it
 * instead of to init, and the agent finds it by walking the supervisor's descendants. It forks COMMAND, dropped to
 * UID/GID when those are not -1 (the supervisor itself stays with the agent's privileges, so the script cannot kill
 * it and free its descendants), writes "exit N" or "signal N" on fd 3 when COMMAND ends, reaps every descendant, and
 * exits only once none is left. It ignores SIGTERM, SIGINT, SIGHUP and SIGPIPE for itself: the agent's watchdog
 * signals the descendants, and a dead agent must not end the supervisor before the restarted agent cleans up.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_FD 3
#define GATE_FD 4
#define SETUP_FAILED 126
#define EXEC_FAILED 127

static const int ignored[] = {SIGTERM, SIGINT, SIGHUP, SIGPIPE};

static void set_ignored(void (*handler)(int)) {
  for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) signal(ignored[i], handler);
}

static long parse_id(const char *text) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < -1) {
    fprintf(stderr, "run-supervisor: %s is not a uid or gid\n", text);
    exit(SETUP_FAILED);
  }
  return value;
}

/* In the forked child: the script's own signal defaults, its user, then the script. Never returns. */
static void run_script(long uid, long gid, char **argv) {
  set_ignored(SIG_DFL);
  if (gid != -1 && (setgroups(0, NULL) != 0 || setgid((gid_t)gid) != 0)) {
    fprintf(stderr, "run-supervisor: cannot switch to gid %ld: %s\n", gid, strerror(errno));
    _exit(SETUP_FAILED);
  }
  if (uid != -1 && setuid((uid_t)uid) != 0) {
    fprintf(stderr, "run-supervisor: cannot switch to uid %ld: %s\n", uid, strerror(errno));
    _exit(SETUP_FAILED);
  }
  execv(argv[0], argv);
  fprintf(stderr, "run-supervisor: cannot run %s: %s\n", argv[0], strerror(errno));
  _exit(EXEC_FAILED);
}

static void report(int status) {
  char line[32];
  int length = WIFSIGNALED(status) ? snprintf(line, sizeof line, "signal %d\n", WTERMSIG(status))
                                   : snprintf(line, sizeof line, "exit %d\n", WEXITSTATUS(status));
  /* A dead agent gives EPIPE (SIGPIPE is ignored); the supervisor carries on reaping either way. */
  if (write(STATUS_FD, line, (size_t)length) < 0) return;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: run-supervisor UID GID COMMAND [ARG...]\n");
    return SETUP_FAILED;
  }
  long uid = parse_id(argv[1]);
  long gid = parse_id(argv[2]);
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    fprintf(stderr, "run-supervisor: cannot become a child subreaper: %s\n", strerror(errno));
    return SETUP_FAILED;
  }
  set_ignored(SIG_IGN);
  /* The script must not inherit the status channel: only the supervisor reports on it. */
  if (fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC) != 0) {
    fprintf(stderr, "run-supervisor: fd %d is not open: %s\n", STATUS_FD, strerror(errno));
    return SETUP_FAILED;
  }
  char go = 0;
  ssize_t opened = -1;
  do opened = read(GATE_FD, &go, 1);
  while (opened < 0 && errno == EINTR);
  close(GATE_FD);
  if (opened != 1) return SETUP_FAILED;
  pid_t script = fork();
  if (script < 0) {
    fprintf(stderr, "run-supervisor: cannot fork: %s\n", strerror(errno));
    return SETUP_FAILED;
  }
  if (script == 0) run_script(uid, gid, argv + 3);
  /* The supervisor's copies of the output would keep it open after every process of the script closed its own. */
  int null_fd = open("/dev/null", O_WRONLY);
  if (null_fd < 0 || dup2(null_fd, STDOUT_FILENO) < 0 || dup2(null_fd, STDERR_FILENO) < 0) {
    kill(script, SIGKILL);
    return SETUP_FAILED;
  }
  close(null_fd);
  for (;;) {
    int status = 0;
    pid_t reaped = waitpid(-1, &status, 0);
    if (reaped == script) report(status);
    if (reaped < 0 && errno == ECHILD) return 0;
  }
}
