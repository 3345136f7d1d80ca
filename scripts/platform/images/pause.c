/* The sandbox ("pause") process of every Pod on the local node: holds the Pod's namespaces,
 * reaps zombies, exits on SIGINT/SIGTERM. Built with `gcc -static` by node.sh, packed by
 * mkimage.py; nothing is ever pulled. */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(int s) { (void)s; _exit(0); }
static void reap(int s) {
  (void)s;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction a = {0}, b = {0};
  a.sa_handler = die;
  sigaction(SIGINT, &a, NULL);
  sigaction(SIGTERM, &a, NULL);
  b.sa_handler = reap;
  b.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &b, NULL);
  for (;;) pause();
  return 0;
}
