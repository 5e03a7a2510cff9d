// CLazyCurl has no Swift-facing API: LazyCurl.c defines libcurl's functions for the statically linked Foundation.
#ifndef DQMON_CLAZYCURL_H
#define DQMON_CLAZYCURL_H
#endif
