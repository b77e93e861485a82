/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-view: review a case in a terminal.  The timeline, the histogram,
 * the detail of a row, the filter bar and the root-cause trees, over the
 * case's read cursor; tags, notes and saved filters go into the case.
 * Everything shown comes from evidence and is escaped before it reaches
 * the terminal, which is restored however the program ends.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "common/tool.h"
#include "spoor/case.h"
#include "spoor/time.h"
#include "view.h"

static const char usage_text[] =
    "usage: spoor-view [-c CASE] [--tz ZONE] [--ascii] [--read-only]\n"
    "                  [--no-color] [CASE]\n";

enum { OPT_TZ = 256, OPT_ASCII, OPT_READ_ONLY, OPT_NO_COLOR, OPT_MAX_MEMORY };

static const struct option longopts[] = {
	{ "case", required_argument, NULL, 'c' },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "ascii", no_argument, NULL, OPT_ASCII },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\nReview a case in a terminal: the timeline of its events, "
	    "a histogram, the\ndetail of each event, filters, full-text "
	    "search, the root-cause trees of\nspoor-rca, tags and notes.\n\n"
	    "  -c, --case FILE     the case database ($SPOOR_CASE)\n"
	    "      --tz ZONE       show times in this zone (default UTC)\n"
	    "      --ascii         draw with ASCII only\n"
	    "      --read-only     never write to the case (no tags, notes "
	    "or saved\n"
	    "                      filters; the run is not recorded)\n"
	    "      --no-color      no colours (also $NO_COLOR)\n"
	    "      --max-memory SIZE\n"
	    "                      bound the address space (default: half "
	    "the RAM)\n"
	    "  -h, --help          show this help\n"
	    "  -V, --version       show versions\n\n"
	    "Inside: ? or F1 for help, : for commands, q to quit.\n",
	    usage_text);
}

/* ---- the terminal, restored on every way out ---- */

static struct sp_tool tool;
static struct termios saved_tty;
static int have_tty, curses_on;
static volatile sig_atomic_t hangup;

static void
on_hangup(int signo)
{
	hangup = signo;
	sp_cancel_request(&tool.cancel, signo);
}

/*
 * A fatal signal: leave the alternate screen, show the cursor, reset the
 * attributes and the terminal modes with async-signal-safe calls only,
 * then die of the signal as the program would have.
 */
static void
on_fatal(int signo)
{
	static const char restore[] = "\033[0m\033[?25h\033[?1049l\r\n";

	if (curses_on) {
		ssize_t w = write(STDOUT_FILENO, restore, sizeof(restore) - 1);

		(void)w;
		if (have_tty)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	}
	signal(signo, SIG_DFL);
	raise(signo);
}

static void
signals_install(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
	    SIGABRT, SIGQUIT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_hangup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

static void
curses_end(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
		if (have_tty)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	}
}

/* 1 when a signal asks the view to end (the caller stops what it does). */
int
view_poll_signals(struct view *v)
{
	if (sp_cancel_requested(&tool.cancel) != 0 || hangup) {
		v->quit = 1;
		return VIEW_YES;
	}
	return 0;
}

/* Draw s escaped at (y, x) in at most cols columns. */
void
view_put(struct view *v, int y, int x, const char *s, int cols, int attr)
{
	char buf[4096];

	if (s == NULL || cols <= 0 || x >= v->cols)
		return;
	if (x + cols > v->cols)
		cols = v->cols - x;
	view_escape(s, SIZE_MAX, v->ascii, buf, sizeof(buf), cols, NULL);
	if (attr)
		attron(attr);
	mvaddstr(y, x, buf);
	if (attr)
		attroff(attr);
}

/* A rule across the screen at row y ("─", or "-" with --ascii). */
void
view_hline(struct view *v, int y)
{
	int x;

	move(y, 0);
	for (x = 0; x < v->cols; x++)
		addstr(v->ascii ? "-" : "\xe2\x94\x80");
}

/* ---- layout and drawing ---- */

void
view_layout(struct view *v)
{
	int y = 0, free_rows;

	getmaxyx(stdscr, v->rows, v->cols);
	v->hist_h = v->show_hist && v->rows >= 16 ? HIST_ROWS : 0;
	v->hist_y = 0;
	y += v->hist_h;
	v->filter_y = y++;
	v->head_y = y++;
	v->status_y = v->rows - 1;
	free_rows = v->status_y - y;
	v->detail_h = v->show_detail && free_rows >= 10 ? free_rows * 2 / 5 : 0;
	v->list_y = y;
	v->list_h = free_rows - v->detail_h;
	if (v->list_h < 1)
		v->list_h = 1;
	v->detail_y = v->list_y + v->list_h;
}

static void
draw_filter_bar(struct view *v)
{
	char d[1024], line[1200];

	vfilter_describe(&v->filter, d, sizeof(d));
	snprintf(line, sizeof(line), " filter: %s", d);
	move(v->filter_y, 0);
	clrtoeol();
	attron(v->color ? COLOR_PAIR(5) : A_REVERSE);
	mvhline(v->filter_y, 0, ' ', v->cols);
	view_put(v, v->filter_y, 0, line, v->cols, 0);
	attroff(v->color ? COLOR_PAIR(5) : A_REVERSE);
}

static void
draw_status(struct view *v)
{
	const struct vrow *r = timeline_selected(v);
	char line[1024], t[64];
	static const char *const panes[NPANE] = { "timeline", "histogram",
	    "detail", "tree" };

	move(v->status_y, 0);
	clrtoeol();
	if (v->msg[0] != '\0') {
		/* the message, after what says where the view is */
		snprintf(line, sizeof(line), "spoor-view  event %lld  %s: ",
		    r ? (long long)r->id : 0LL, panes[v->focus]);
		view_put(v, v->status_y, 0, line, v->cols, A_REVERSE);
		view_put(v, v->status_y, (int)strlen(line), v->msg,
		    v->cols - (int)strlen(line), v->msg_error ? (v->color ?
		    COLOR_PAIR(1) | A_BOLD : A_BOLD) : A_BOLD);
		return;
	}
	if (r != NULL)
		view_format_time(v, r->time_ns, t, sizeof(t));
	else
		snprintf(t, sizeof(t), "-");
	snprintf(line, sizeof(line), "spoor-view  %s  %s  event %lld  %s%s"
	    "  %s%s  ? help  : command  q quit", sp_case_path(v->c), t,
	    r ? (long long)r->id : 0LL, v->zone ? v->zone : "UTC",
	    v->read_only ? "  read-only" : "", panes[v->focus],
	    v->at_end && r != NULL && v->sel == v->nrows - 1 ? "  (end)" : "");
	attron(A_REVERSE);
	mvhline(v->status_y, 0, ' ', v->cols);
	view_put(v, v->status_y, 0, line, v->cols, A_REVERSE);
	attroff(A_REVERSE);
}

/* Keep the histogram's window around the selected row. */
static void
hist_follow(struct view *v)
{
	const struct vrow *r = timeline_selected(v);
	sp_time_ns w = zoom_width(v->zoom), start;
	int ncols = v->cols < HIST_MAX_COLS ? v->cols : HIST_MAX_COLS;

	if (r == NULL || !v->show_hist || ncols <= 0)
		return;
	start = r->time_ns - (r->time_ns % w + w) % w;	/* floor */
	if (start < v->hist_start || start >= v->hist_start + w * ncols) {
		v->hist_start = start - w * (ncols / 2);
		hist_request(v);
	}
	v->hist_col = (int)((start - v->hist_start) / w);
}

void
view_draw(struct view *v)
{
	if (v->focus == PANE_TREE) {
		erase();
		hist_draw(v);
		draw_filter_bar(v);
		tree_draw(v);
		draw_status(v);
		return;
	}
	hist_follow(v);
	hist_draw(v);
	draw_filter_bar(v);
	timeline_draw(v);
	if (v->show_detail) {
		detail_load(v);
		detail_draw(v);
	}
	draw_status(v);
}

static void
colors_init(struct view *v)
{
	static const short kinds[HIST_KINDS + 1] = { COLOR_CYAN, COLOR_GREEN,
	    COLOR_YELLOW, COLOR_MAGENTA, COLOR_BLUE, COLOR_WHITE, COLOR_WHITE };
	int i;

	v->color = v->color && has_colors() && getenv("NO_COLOR") == NULL;
	if (!v->color)
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_RED, -1);
	init_pair(2, COLOR_YELLOW, -1);
	init_pair(3, COLOR_CYAN, -1);
	init_pair(4, COLOR_GREEN, -1);
	init_pair(5, COLOR_BLACK, COLOR_CYAN);
	for (i = 0; i <= HIST_KINDS; i++)
		init_pair((short)(10 + i), kinds[i], -1);
}

/* ---- keys ---- */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static const char *
view_key_name(int ch, char *buf, size_t size)
{
	const char *k = keyname(ch);

	snprintf(buf, size, "%s", k != NULL ? k : "?");
	return buf;
}

static void
search_prompt(struct view *v, int backward)
{
	char words[512];
	char *fts;

	if (cmd_prompt(v, backward ? "?" : "/", NULL, words, sizeof(words))
	    != 0)
		return;
	if (words[0] == '\0') {
		if (backward)
			help_show(v);	/* "?" alone: the help */
		else if (v->filter.search_fts != NULL)
			timeline_search(v, 0);
		return;
	}
	if ((fts = view_fts_query(words)) == NULL)
		return;
	free(v->filter.search);
	free(v->filter.search_fts);
	v->filter.search = strdup(words);
	v->filter.search_fts = fts;
	timeline_search(v, backward);
}

static void
after_cmd(struct view *v, int flags)
{
	if (flags & 1) {
		v->detail_id = 0;
		timeline_reload(v);
		v->hist_start = INT64_MIN / 2;	/* recount */
	}
	if (flags & 2) {
		v->detail_id = 0;
		timeline_reload(v);
		hist_request(v);
	}
}

static void
command_line(struct view *v, const char *initial)
{
	char line[1024];
	int flags;

	if (cmd_prompt(v, ":", initial, line, sizeof(line)) != 0)
		return;
	v->msg[0] = '\0';
	flags = cmd_run(v, line);
	if (flags > 0)
		after_cmd(v, flags);
}

static void
key(struct view *v, int ch)
{
	const struct vrow *r;
	if (ch != ERR && ch != KEY_RESIZE)
		v->msg[0] = '\0';
	switch (ch) {
	case 'q': case 'Q':
		v->quit = 1;
		return;
	case KEY_RESIZE:
		view_layout(v);
		clear();
		timeline_reload(v);
		v->hist_start = INT64_MIN / 2;
		return;
	case KEY_F(1):
		help_show(v);
		return;
	case ':':
		command_line(v, NULL);
		return;
	case '/': case '?':
		search_prompt(v, ch == '?');
		return;
	case 'n': case 'N':
		timeline_search(v, ch == 'N');
		return;
	case '\t':
		do
			v->focus = (enum pane)((v->focus + 1) % NPANE);
		while ((v->focus == PANE_HIST && !v->show_hist) ||
		    (v->focus == PANE_DETAIL && !v->show_detail));
		return;
	case KEY_BTAB:
		do
			v->focus = (enum pane)((v->focus + NPANE - 1) % NPANE);
		while ((v->focus == PANE_HIST && !v->show_hist) ||
		    (v->focus == PANE_DETAIL && !v->show_detail));
		return;
	case '+': case '=':
		if (v->zoom + 1 < NZOOM) {
			v->zoom++;
			v->hist_start = INT64_MIN / 2;
		}
		return;
	case '-': case '_':
		if (v->zoom > 0) {
			v->zoom--;
			v->hist_start = INT64_MIN / 2;
		}
		return;
	case 't':
		command_line(v, "tag ");
		return;
	case 'a':
		command_line(v, "note ");
		return;
	case 'd':
		after_cmd(v, cmd_run(v, "detections"));
		return;
	case 'f': {
		char d[1024], init[1100], *bar;

		vfilter_describe(&v->filter, d, sizeof(d));
		if ((bar = strstr(d, "| search: ")) != NULL)
			*bar = '\0';
		if (strncmp(d, "every event", 11) == 0)
			d[0] = '\0';
		snprintf(init, sizeof(init), "filter %s", d);
		command_line(v, init);
		return;
	}
	case 'T':
		v->focus = PANE_TREE;
		return;
	}
	if (v->focus == PANE_TREE) {
		if (ch == 27)
			v->focus = PANE_TIMELINE;
		else
			tree_key(v, ch);
		return;
	}
	if (v->focus == PANE_HIST && (ch == 'h' || ch == 'l' ||
	    ch == KEY_LEFT || ch == KEY_RIGHT)) {
		int col = v->hist_col + (ch == 'h' || ch == KEY_LEFT ? -1 : 1);
		sp_time_ns w = zoom_width(v->zoom);

		timeline_goto(v, v->hist_start + w * col, INT64_MIN);
		return;
	}
	if (v->focus == PANE_DETAIL) {
		switch (ch) {
		case 'j': case KEY_DOWN:
			if ((size_t)v->dtop + 1 < v->ndlines)
				v->dtop++;
			return;
		case 'k': case KEY_UP:
			if (v->dtop > 0)
				v->dtop--;
			return;
		}
	}
	switch (ch) {
	case 'j': case KEY_DOWN:
		timeline_move(v, 1);
		break;
	case 'k': case KEY_UP:
		timeline_move(v, -1);
		break;
	case KEY_NPAGE: case ' ': case 6:	/* ^F */
		timeline_page(v, 1);
		break;
	case KEY_PPAGE: case 'b': case 2:	/* ^B */
		timeline_page(v, -1);
		break;
	case 'g': case KEY_HOME:
		timeline_first(v);
		break;
	case 'G': case KEY_END:
		timeline_last(v);
		break;
	case '\n': case KEY_ENTER:
		v->show_detail = !v->show_detail;
		view_layout(v);
		timeline_reload(v);
		break;
	case 'o':
		pager_open_file(v);
		break;
	case 'r':
		if ((r = timeline_selected(v)) != NULL)
			tree_find_event(v, r->id);
		break;
	case '>': case KEY_SRIGHT:
		v->hscroll += 16;
		break;
	case '<': case KEY_SLEFT:
		v->hscroll = v->hscroll > 16 ? v->hscroll - 16 : 0;
		break;
	case KEY_MOUSE: {
		MEVENT me;

		if (getmouse(&me) == OK) {
			if (me.bstate & BUTTON4_PRESSED)
				timeline_move(v, -3);
#ifdef BUTTON5_PRESSED
			else if (me.bstate & BUTTON5_PRESSED)
				timeline_move(v, 3);
#endif
			else if (me.y >= v->list_y && me.y < v->list_y +
			    v->nrows)
				v->sel = me.y - v->list_y;
		}
		break;
	}
	}
}

/*
 * Wait at most ms for a key on standard input or for the histogram's
 * worker to say that its count is done (a byte on its pipe, drained).
 */
static void
wait_input(struct view *v, int ms)
{
	struct pollfd p[2];
	char buf[64];
	nfds_t n = 1;

	p[0].fd = STDIN_FILENO;
	p[0].events = POLLIN;
	if (v->hist.started && v->hist.wakefd[0] >= 0) {
		p[1].fd = v->hist.wakefd[0];
		p[1].events = POLLIN;
		n = 2;
	}
	if (poll(p, n, ms) > 0 && n == 2 && (p[1].revents & POLLIN))
		while (read(v->hist.wakefd[0], buf, sizeof(buf)) > 0)
			;
}

/* ---- main ---- */

static int
open_case(struct view *v, const char *path, struct sp_err *err)
{
	struct stat st;
	int rc;

	if (stat(path, &st) != 0)
		return sp_err_set(err, SP_E_NOTFOUND, errno, "case '%s'",
		    path);
	if (v->read_only) {
		/* the run is kept in memory only: nothing is written */
		unsetenv("SPOOR_CASE");
		if ((rc = sp_tool_begin(&tool, NULL, err)) != SP_OK)
			return rc;
		return sp_case_open(&v->c, path, SP_CASE_READONLY, err);
	}
	if ((rc = sp_tool_begin(&tool, path, err)) != SP_OK)
		return rc;
	v->c = tool.c;
	v->run = tool.run;
	return SP_OK;
}

int
main(int argc, char *argv[])
{
	static struct view view;
	struct view *v = &view;
	struct sp_err err;
	const char *case_path = NULL, *trace;
	int ch, status = SP_EXIT_OK, first = 1, dirty = 1;
	char kn[32];
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	sp_tool_init(&tool, "spoor-view", argc, argv);
	sp_err_init(&err);
	v->color = 1;
	v->utc = 1;
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': case_path = optarg; break;
		case OPT_TZ: v->zone = optarg; break;
		case OPT_ASCII: v->ascii = 1; break;
		case OPT_READ_ONLY: v->read_only = 1; break;
		case OPT_NO_COLOR: v->color = 0; break;
		case OPT_MAX_MEMORY:
			if (sp_tool_max_memory(&tool, optarg) != SP_OK) {
				fputs(usage_text, stderr);
				return SP_EXIT_USAGE;
			}
			break;
		case 'h': help(); return SP_EXIT_OK;
		case 'V': sp_tool_version(&tool); return SP_EXIT_OK;
		default: fputs(usage_text, stderr); return SP_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		if (case_path != NULL || optind + 1 < argc) {
			fprintf(stderr, "spoor-view: one case at a time\n%s",
			    usage_text);
			return SP_EXIT_USAGE;
		}
		case_path = argv[optind];
	}
	if ((case_path = sp_case_path_from_env(case_path)) == NULL) {
		fprintf(stderr, "spoor-view: no case: give one, with -c or "
		    "$SPOOR_CASE\n%s", usage_text);
		return SP_EXIT_USAGE;
	}
	if (v->zone != NULL) {
		if (sp_time_set_zone(v->zone) != SP_OK) {
			fprintf(stderr, "spoor-view: unknown time zone '%s'\n%s",
			    v->zone, usage_text);
			return SP_EXIT_USAGE;
		}
		v->utc = 0;
	}
	{
		struct stat st;

		if (stat(case_path, &st) != 0) {
			sp_err_set(&err, SP_E_NOTFOUND, errno, "case '%s'",
			    case_path);
			return sp_tool_error(&tool, &err);
		}
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "spoor-view: standard input and output must be "
		    "a terminal (spoor-export writes a case's timeline to a "
		    "pipe)\n");
		return SP_EXIT_USAGE;
	}
	v->case_path = case_path;
	if (open_case(v, case_path, &err) != SP_OK) {
		status = sp_tool_error(&tool, &err);
		sp_case_close(v->read_only ? v->c : NULL);
		return sp_tool_finish(&tool, status);
	}
	if ((trace = getenv("SPOOR_VIEW_TRACE")) != NULL && *trace != '\0')
		v->trace = fopen(trace, "a");

	setlocale(LC_ALL, "");
	{
		const char *cs = nl_langinfo(CODESET);

		if (cs == NULL || strcmp(cs, "UTF-8") != 0)
			v->ascii = 1;
	}
	have_tty = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
	signals_install();
	if (getenv("ESCDELAY") == NULL)
		set_escdelay(25);
	if (initscr() == NULL) {
		fprintf(stderr, "spoor-view: cannot set up the terminal\n");
		status = SP_EXIT_OF(SP_E_IO);
		goto out;
	}
	curses_on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	timeout(100);
	mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	colors_init(v);
	v->show_hist = 1;
	v->show_detail = 1;
	v->focus = PANE_TIMELINE;
	v->hist_start = INT64_MIN / 2;
	vfilter_init(&v->filter);
	view_layout(v);
	v->hist.wakefd[0] = v->hist.wakefd[1] = -1;
	hist_start(v);
	timeline_first(v);

	while (!v->quit) {
		if (dirty) {
			erase();
			view_draw(v);
			refresh();
			dirty = 0;
		}
		if (first) {
			first = 0;
			if (v->trace != NULL) {
				fprintf(v->trace, "first-screen ms=%.3f\n",
				    ms_since(&t0));
				fflush(v->trace);
			}
		}
		/* a key ncurses already holds, else wait for one or the count */
		timeout(0);
		ch = getch();
		if (view_poll_signals(v))
			break;
		if (ch == ERR) {
			if (!hist_take(v)) {
				wait_input(v, 100);
				dirty = hist_take(v);
			} else
				dirty = 1;
			continue;
		}
		timeout(100);
		clock_gettime(CLOCK_MONOTONIC, &v->key_t0);
		if (ch == '\r')
			ch = '\n';
		key(v, ch);
		if (v->quit)
			break;
		erase();
		view_draw(v);
		refresh();
		v->last_ms = ms_since(&v->key_t0);
		if (v->trace != NULL) {
			fprintf(v->trace, "key=%s ms=%.3f\n",
			    view_key_name(ch, kn, sizeof(kn)), v->last_ms);
			fflush(v->trace);
		}
	}
	curses_end();
	hist_stop(v);
out:
	if (v->trace != NULL)
		fclose(v->trace);
	tree_release(v);
	detail_release(v);
	while (v->nrows > 0)
		vrow_release(&v->rowv[--v->nrows]);
	free(v->rowv);
	vfilter_release(&v->filter);
	if (v->read_only)
		sp_case_close(v->c);
	return sp_tool_finish(&tool, status);
}
