/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The error table and the error chain (see include/spoor/err.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spoor/err.h"
#include "base/util.h"

static const struct {
	const char *name;
	int status;
	const char *msg;
} table[] = {
	[SP_OK] = { "SP_OK", SP_EXIT_OK, "success" },
#define SP_EXIT(name, status, meaning)
#define SP_ERROR(name, status, msg) [name] = { #name, status, msg },
#include "errors.def"
#undef SP_ERROR
#undef SP_EXIT
};

/*
 * The code of the last failure recorded on this thread, so that a layer
 * that prepends context and returns the code keeps it when its caller
 * passed no struct sp_err (like errno, it is only meaningful right after
 * a failure).
 */
static _Thread_local int last_code;

void
sp_err_init(struct sp_err *err)
{
	if (err == NULL)
		return;
	err->code = SP_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

int
sp_err_set(struct sp_err *err, int code, int sys_errno, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	last_code = code;
	if (err == NULL)
		return code;
	err->code = code;
	err->sys_errno = sys_errno;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (sys_errno != 0) {
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, "%s%s",
		    n ? ": " : "", strerror(sys_errno));
	}
	return code;
}

int
sp_err_prefix(struct sp_err *err, const char *fmt, ...)
{
	char prefix[SP_ERR_MSG_MAX], old[SP_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return last_code != SP_OK ? last_code : SP_E_INTERNAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s%s%s", prefix,
	    old[0] ? ": " : "", old);
	return err->code;
}

int
sp_err_callback(struct sp_err *err, int r, const char *what)
{
	if ((r = sp_cb_status(r)) == SP_OK)
		return SP_OK;
	if (err != NULL && err->code == r && err->msg[0] != '\0')
		return r;
	return sp_err_set(err, r, 0, "%s: %s", what, sp_strerror(r));
}

static int
valid(int code)
{
	return code >= 0 && code < SP_E_MAX && table[code].name != NULL;
}

const char *
sp_strerror(int code)
{
	return valid(code) ? table[code].msg : "unknown error";
}

int
sp_err_exit_status(int code)
{
	return valid(code) ? table[code].status : SP_EXIT_OF(SP_E_INTERNAL);
}

const char *
sp_err_name(int code)
{
	return valid(code) ? table[code].name : "SP_E_UNKNOWN";
}

int
sp_errno_code(int e)
{
	switch (e) {
	case ENOENT: case ENOTDIR: return SP_E_NOINPUT;
	case EACCES: case EPERM: return SP_E_PERM;
	case ENOMEM: return SP_E_NOMEM;
	case EIO: return SP_E_IO;
	case ELOOP: return SP_E_NOINPUT;
	default: return SP_E_OS;
	}
}
