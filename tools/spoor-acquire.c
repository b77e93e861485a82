/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spoor-acquire: forensic images of a disk or a file (raw, split raw, E01)
 * and of this host's physical memory (LiME), hashed as they are read.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "spoor/acquire.h"
#include "spoor/json.h"
#include "spoor/size.h"
#include "common/progress.h"
#include "common/tool.h"

enum {
	OPT_JSON = 256, OPT_SPLIT, OPT_COMPRESSION, OPT_SEGMENT_SIZE,
	OPT_SECTORS_PER_CHUNK, OPT_HASH_WINDOW, OPT_RETRIES, OPT_VERIFY,
	OPT_FORCE, OPT_CASE_NUMBER, OPT_EVIDENCE_NUMBER, OPT_EXAMINER,
	OPT_DESCRIPTION, OPT_NOTES, OPT_PROGRESS, OPT_MEMORY, OPT_SOURCE,
	OPT_IOMEM, OPT_LOCKDOWN_FILE, OPT_MAX_MEMORY
};

static const char usage_text[] =
    "usage: spoor-acquire [-hV] [-c case] [-f raw|e01] [--split size]\n"
    "                     [--compression level] [--segment-size size]\n"
    "                     [--sectors-per-chunk n] [--hash-window size]\n"
    "                     [--retries n] [--verify] [--force] [metadata]\n"
    "                     [--progress=mode] [--json] source output\n"
    "       spoor-acquire --memory [--source path] [--iomem file]\n"
    "                     [--lockdown-file file] [options] output.lime\n";

static const struct option longopts[] = {
	{ "case", required_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "compression", required_argument, NULL, OPT_COMPRESSION },
	{ "segment-size", required_argument, NULL, OPT_SEGMENT_SIZE },
	{ "sectors-per-chunk", required_argument, NULL,
	    OPT_SECTORS_PER_CHUNK },
	{ "hash-window", required_argument, NULL, OPT_HASH_WINDOW },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "case-number", required_argument, NULL, OPT_CASE_NUMBER },
	{ "evidence-number", required_argument, NULL, OPT_EVIDENCE_NUMBER },
	{ "examiner", required_argument, NULL, OPT_EXAMINER },
	{ "description", required_argument, NULL, OPT_DESCRIPTION },
	{ "notes", required_argument, NULL, OPT_NOTES },
	{ "progress", required_argument, NULL, OPT_PROGRESS },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "memory", no_argument, NULL, OPT_MEMORY },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "iomem", required_argument, NULL, OPT_IOMEM },
	{ "lockdown-file", required_argument, NULL, OPT_LOCKDOWN_FILE },
	{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void
help(void)
{
	printf("%s\n"
	    "Image a disk or a file as raw, split raw or E01, or this host's\n"
	    "physical memory as LiME, hashing it (MD5, SHA-1, SHA-256) as it\n"
	    "is read.  Unreadable sectors are written as zeros and recorded.\n"
	    "A record is written beside the image (OUTPUT.log).\n\n"
	    "  -f, --format FMT         raw (default) or e01 (default when\n"
	    "                           OUTPUT ends in .E01)\n"
	    "      --split SIZE         raw in segments OUTPUT.000, .001, ...\n"
	    "      --compression LEVEL  E01: none, empty-block, fast (default)\n"
	    "                           or best\n"
	    "      --segment-size SIZE  E01: bytes per segment file\n"
	    "      --sectors-per-chunk N  E01: 16 to 32768 (default 64)\n"
	    "      --hash-window SIZE   also hash every SIZE bytes (piecewise)\n"
	    "      --retries N          re-read a failed read N times (2)\n"
	    "      --verify             re-read the image and compare hashes\n"
	    "      --force              replace an existing image\n"
	    "      --case-number TEXT   case metadata, stored in the E01 and\n"
	    "      --evidence-number TEXT   in the record\n"
	    "      --examiner TEXT\n"
	    "      --description TEXT\n"
	    "      --notes TEXT\n"
	    "      --memory             image physical memory into OUTPUT\n"
	    "      --source PATH        memory: read PATH (/dev/crash,\n"
	    "                           /proc/kcore, /dev/mem or an ELF core)\n"
	    "      --iomem FILE         memory: ranges from FILE, not\n"
	    "                           /proc/iomem\n"
	    "      --lockdown-file FILE memory: kernel lockdown state from\n"
	    "                           FILE ($SPOOR_LOCKDOWN_FILE)\n"
	    "  -c, --case FILE          record the run and the image in case\n"
	    "                           FILE ($SPOOR_CASE)\n"
	    "      --progress=MODE      auto, bar, json or none (on stderr)\n"
	    "      --json               print the record as JSON\n"
	    "      --max-memory SIZE    bound memory use\n"
	    "                           ($SPOOR_MAX_MEMORY)\n"
	    "  -h, --help               show this help\n"
	    "  -V, --version            show versions\n"
	    "SIZE takes a suffix K, M, G, T (powers of 1024) or s (sectors).\n",
	    usage_text);
}

struct progress {
	enum sp_progress_mode mode;
	uint64_t done, total;
	double secs;
	int drawn;
};

static void
progress_json(uint64_t done, uint64_t total, double secs, int final)
{
	struct sp_json w;

	sp_json_init(&w, stderr);
	sp_json_object_begin(&w);
	sp_json_kv_int(&w, "schema", SP_JSON_SCHEMA);
	sp_json_kv_str(&w, "progress", "acquire");
	sp_json_kv_uint(&w, "done", done);
	sp_json_kv_uint(&w, "total", total);
	sp_json_kv_int(&w, "elapsed_ms", (int64_t)(secs * 1000));
	sp_json_kv_bool(&w, "final", final);
	sp_json_object_end(&w);
	sp_json_line_end(&w);
	fflush(stderr);
}

static void
human(double v, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, size, "%.1f %s", v, unit[i]);
}

static void
on_progress(uint64_t done, uint64_t total, double secs, void *arg)
{
	struct progress *pr = arg;
	char d[32], t[32], r[32];
	double rate = secs > 0 ? (double)done / secs : 0;
	int pct = total ? (int)(done * 100 / total) : 100, i;

	if (pr->mode == SP_PROGRESS_JSON) {
		/* the lines of sp_progress, at the pace the library reports */
		progress_json(done, total, secs, 0);
		pr->done = done;
		pr->total = total;
		pr->secs = secs;
		pr->drawn = 1;
		return;
	}
	if (pr->mode != SP_PROGRESS_BAR)
		return;
	human((double)done, d, sizeof(d));
	human((double)total, t, sizeof(t));
	human(rate, r, sizeof(r));
	fprintf(stderr, "\racquire [");
	for (i = 0; i < 30; i++)
		fputc(i < pct * 30 / 100 ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%% %s/%s %s/s", pct, d, t, r);
	if (rate > 0 && done < total) {
		double eta = (double)(total - done) / rate;
		fprintf(stderr, " ETA %02d:%02d:%02d", (int)eta / 3600,
		    (int)eta / 60 % 60, (int)eta % 60);
	}
	fputs("\033[K", stderr);
	fflush(stderr);
	pr->drawn = 1;
}

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("spoor-acquire: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	return SP_EXIT_USAGE;
}

static int
ends_with_e01(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && strcasecmp(s + n - 4, ".e01") == 0;
}

int
main(int argc, char *argv[])
{
	struct sp_tool t;
	struct sp_acquire_opts o;
	struct sp_acquisition *acq = NULL;
	struct progress pr;
	struct sp_err err;
	struct sp_json w;
	const char *case_path = NULL, *format = NULL;
	int ch, json = 0, memory = 0, rc, status = SP_EXIT_OK, split = 0;
	uint64_t v;
	char *end;

	sp_tool_init(&t, "spoor-acquire", argc, argv);
	sp_err_init(&err);
	memset(&o, 0, sizeof(o));
	memset(&pr, 0, sizeof(pr));
	o.retries = 2;
	o.compression = SP_EWF_COMPRESS_FAST;
	pr.mode = SP_PROGRESS_AUTO;
	while ((ch = getopt_long(argc, argv, "c:f:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': case_path = optarg; break;
		case 'f':
			if (strcmp(optarg, "raw") != 0 &&
			    strcmp(optarg, "e01") != 0)
				return usage_error("unknown format '%s'",
				    optarg);
			format = optarg;
			break;
		case OPT_SPLIT:
			if (sp_size_parse(optarg, &o.split_size) ||
			    o.split_size == 0)
				return usage_error("bad size '%s'", optarg);
			split = 1;
			break;
		case OPT_COMPRESSION:
			if (sp_ewf_compression_parse(optarg, &o.compression))
				return usage_error("unknown compression '%s'",
				    optarg);
			break;
		case OPT_SEGMENT_SIZE:
			if (sp_size_parse(optarg, &o.segment_size) ||
			    o.segment_size < (UINT64_C(1) << 20))
				return usage_error("bad segment size '%s' (at "
				    "least 1M)", optarg);
			break;
		case OPT_SECTORS_PER_CHUNK:
			v = strtoull(optarg, &end, 10);
			if (*end != '\0' || v < 16 || v > 32768 ||
			    (v & (v - 1)) != 0)
				return usage_error("bad sectors per chunk '%s' "
				    "(a power of 2 from 16 to 32768)", optarg);
			o.sectors_per_chunk = (uint32_t)v;
			break;
		case OPT_HASH_WINDOW:
			if (sp_size_parse(optarg, &o.hash_window) ||
			    o.hash_window == 0)
				return usage_error("bad size '%s'", optarg);
			break;
		case OPT_RETRIES:
			v = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    v > 100)
				return usage_error("bad retries '%s' (0 to "
				    "100)", optarg);
			o.retries = (unsigned)v;
			break;
		case OPT_VERIFY: o.verify = 1; break;
		case OPT_FORCE: o.force = 1; break;
		case OPT_CASE_NUMBER: o.case_number = optarg; break;
		case OPT_EVIDENCE_NUMBER: o.evidence_number = optarg; break;
		case OPT_EXAMINER: o.examiner = optarg; break;
		case OPT_DESCRIPTION: o.description = optarg; break;
		case OPT_NOTES: o.notes = optarg; break;
		case OPT_PROGRESS:
			if (sp_progress_parse_mode(optarg, &pr.mode) != SP_OK)
				return usage_error("bad progress mode '%s'",
				    optarg);
			break;
		case OPT_JSON: json = 1; break;
		case OPT_MEMORY: memory = 1; break;
		case OPT_SOURCE: o.source = optarg; break;
		case OPT_IOMEM: o.iomem = optarg; break;
		case OPT_LOCKDOWN_FILE: o.lockdown = optarg; break;
		case OPT_MAX_MEMORY:
			if (sp_tool_max_memory(&t, optarg) != SP_OK) {
				fputs(usage_text, stderr);
				return SP_EXIT_USAGE;
			}
			break;
		case 'h': help(); return SP_EXIT_OK;
		case 'V': sp_tool_version(&t); return SP_EXIT_OK;
		default: fputs(usage_text, stderr); return SP_EXIT_USAGE;
		}
	}
	if (memory) {
		if (argc - optind != 1)
			return usage_error("%s", "--memory takes one operand, "
			    "the output");
		if (format != NULL || split)
			return usage_error("%s", "--memory writes LiME; "
			    "--format and --split do not apply");
		o.format = SP_ACQUIRE_LIME;
		o.output = argv[optind];
	} else {
		if (argc - optind != 2) {
			fputs(usage_text, stderr);
			return SP_EXIT_USAGE;
		}
		if (o.source != NULL || o.iomem != NULL || o.lockdown != NULL)
			return usage_error("%s", "--source, --iomem and "
			    "--lockdown-file go with --memory");
		o.source = argv[optind];
		o.output = argv[optind + 1];
		if (format == NULL)
			format = ends_with_e01(o.output) ? "e01" : "raw";
		if (split && strcmp(format, "e01") == 0)
			return usage_error("%s", "--split is for raw images; "
			    "E01 takes --segment-size");
		o.format = strcmp(format, "e01") == 0 ? SP_ACQUIRE_E01 :
		    split ? SP_ACQUIRE_SPLIT : SP_ACQUIRE_RAW;
	}
	if (pr.mode == SP_PROGRESS_AUTO)
		pr.mode = isatty(2) ? SP_PROGRESS_BAR : SP_PROGRESS_NONE;
	o.progress = on_progress;
	o.cancel = &t.cancel;
	o.progress_arg = &pr;
	if (sp_tool_begin(&t, case_path, &err) != SP_OK)
		return sp_tool_finish(&t, sp_tool_error(&t, &err));
	if (memory)
		rc = sp_acquire_memory(t.run, &o, &acq, &err);
	else
		rc = sp_acquire_disk(t.run, &o, &acq, &err);
	if (pr.drawn && pr.mode == SP_PROGRESS_JSON)
		progress_json(pr.done, pr.total, pr.secs, 1);
	else if (pr.drawn)
		fputs("\r\033[K", stderr);
	if (acq != NULL) {
		if (json) {
			sp_json_init(&w, stdout);
			sp_acquisition_json(acq, &w);
			sp_json_line_end(&w);
		} else
			sp_acquisition_text(acq, stdout);
	}
	if (rc != SP_OK)
		status = sp_tool_error(&t, &err);
	sp_acquisition_free(acq);
	return sp_tool_finish(&t, status);
}
