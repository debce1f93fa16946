/* SPDX-License-Identifier: GPL-2.0 */
#include <plinth/errno.h>

const char *strerror(int err)
{
	/* Callers usually hold a negative return value; accept either sign. */
	if (err < 0) {
		/* -INT_MIN does not exist; no errno is that large anyway. */
		if (err < -0x7fff)
			return "unknown error";
		err = -err;
	}

	switch (err) {
	case 0:
		return "success";
	case EPERM:
		return "operation not permitted";
	case ENOENT:
		return "no such file or directory";
	case EIO:
		return "I/O error";
	case E2BIG:
		return "argument list too long";
	case ENOEXEC:
		return "exec format error";
	case EAGAIN:
		return "try again";
	case ENOMEM:
		return "out of memory";
	case EFAULT:
		return "bad address";
	case EBUSY:
		return "device or resource busy";
	case EEXIST:
		return "already exists";
	case ENODEV:
		return "no such device";
	case EINVAL:
		return "invalid argument";
	case EMFILE:
		return "too many open files";
	case EFBIG:
		return "file too large";
	case ENOSPC:
		return "no space left";
	case ERANGE:
		return "result out of range";
	case ENOSYS:
		return "function not implemented";
	case ELOOP:
		return "too many levels of links";
	case EPROTO:
		return "protocol error";
	case EBADMSG:
		return "bad message";
	case EOVERFLOW:
		return "value too large";
	case EMSGSIZE:
		return "message too long";
	case EPROTONOSUPPORT:
		return "protocol not supported";
	case ENOTSUP:
		return "operation not supported";
	case ENETDOWN:
		return "network is down";
	case ENOBUFS:
		return "no buffer space available";
	case ETIMEDOUT:
		return "timed out";
	case EALREADY:
		return "operation already in progress or done";
	default:
		return "unknown error";
	}
}
