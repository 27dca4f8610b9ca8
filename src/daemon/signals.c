/* signals.c - signals reach the event loop through a self-pipe: the
 * handler writes the signal's number, the loop polls the read end. A stop
 * signal is also noted for work that runs before the loop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "daemon/daemon.h"

static int sig_pipe[2] = { -1, -1 };

/* The read end of the self-pipe the signal handler writes to. */
int signal_fd(void)
{
	return sig_pipe[0];
}

/* A stop signal arrived: work that runs before the event loop (loading a
 * big dynamic.map) asks this to give up early. */
static volatile sig_atomic_t stop_pending;

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (sig == SIGINT || sig == SIGTERM || sig == SIGQUIT)
		stop_pending = 1;
	if (write(sig_pipe[1], &b, 1) < 0) {
		/* pipe full: a signal is pending anyway */
	}
	errno = saved;
}

bool stop_signalled(void)
{
	return stop_pending != 0;
}

/* A forked child's own self-pipe: the inherited one is shared with the
 * parent (and other children), and a signal byte written there is read by
 * whichever process polls first: a SIGTERM for a worker could be taken by
 * the parent, a SIGHUP for the parent by a worker. Signals are blocked
 * while the ends are swapped, so none is lost. */
void signals_own_pipe(void)
{
	sigset_t all, old;
	int p[2];

	if (pipe(p) < 0 || fcntl(p[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(p[1], F_SETFL, O_NONBLOCK) < 0) {
		log_err("self-pipe: %s; signals are shared with the parent", strerror(errno));
		return;
	}
	/* the new ends take the old numbers (nothing else sees a change) */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (dup2(p[0], sig_pipe[0]) < 0 || dup2(p[1], sig_pipe[1]) < 0)
		log_err("self-pipe: %s; signals are shared with the parent", strerror(errno));
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[0]);
	close(p[1]);
}

int setup_signals(void)
{
	struct sigaction sa;

	if (pipe(sig_pipe) < 0 || fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);  /* only the privileged parent has a child */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}
