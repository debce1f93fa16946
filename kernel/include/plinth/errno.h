/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PLINTH_ERRNO_H
#define PLINTH_ERRNO_H

/* Functions return 0 or a negative value of these (Linux numbering). */
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define EMFILE 24
#define EFBIG 27
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ELOOP 40
#define EPROTO 71
#define EBADMSG 74
#define EOVERFLOW 75
#define EMSGSIZE 90
#define EPROTONOSUPPORT 93
#define ENOTSUP 95
#define ENETDOWN 100
#define ENOBUFS 105
#define ETIMEDOUT 110
#define EALREADY 114

#ifdef PLINTH_HOST_TEST
/* libc declares its own strerror with another signature. */
#include <string.h>
#define strerror plinth_strerror
#endif
const char *strerror(int err);

#endif
