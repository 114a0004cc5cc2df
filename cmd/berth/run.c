/* berth run: create + start + wait, with berth as the container init's
 * parent. Signals berth receives go on to the container; without
 * --console-socket a terminal container's pty is proxied to our stdio. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "create_opts.h"
#include "foreground.h"

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct create_cli_opts o = { 0 };
	struct berth_created created;
	struct berth_err err, ignored;
	int rc = parse_create_opts("run", argc, argv, &o), sfd, code;

	if (rc < 0)
		return rc == -2 ? 0 : 1;
	o.create.keep_console = !o.detach && !o.create.console_socket;
	sfd = foreground_block_signals();
	if (sfd < 0)
		return cli_failf("run: signalfd: %s", strerror(errno));
	if (berth_container_create(&cli->ctx, &o.create, &created, &err) < 0) {
		close(sfd);
		return cli_fail(&err);
	}
	/* Started and deleted from the state create made: this process holds
	 * the container from its creation on. */
	if (berth_container_start_state(&cli->ctx, &created.state, &err) < 0) {
		berth_container_delete_state(&cli->ctx, &created.state, true, &ignored);
		if (created.console_master >= 0)
			close(created.console_master);
		state_free(&created.state);
		close(sfd);
		return cli_fail(&err);
	}
	if (o.detach) {
		state_free(&created.state);
		close(sfd);
		return 0;
	}
	code = foreground_wait(created.init_pid, sfd, created.console_master);
	if (created.console_master >= 0)
		close(created.console_master);
	close(sfd);
	if (!o.keep && berth_container_delete_state(&cli->ctx, &created.state, true, &err) < 0)
		cli_fail(&err);
	state_free(&created.state);
	return code;
}
