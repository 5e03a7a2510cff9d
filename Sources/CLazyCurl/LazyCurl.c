// libcurl, loaded on first use instead of at every start (Linux release builds, `DQMON_LAZY_CURL`).
//
// The statically linked Foundation (`--static-swift-stdlib`) calls these 23 libcurl functions for URLSession,
// which dqmon uses only to send alerts (and `doctor`'s receiver probes). Linked against libcurl, every dqmon
// process -- `dqmon check` every few minutes, `dqmon --version` -- loaded libcurl and its ~30 libraries (OpenSSL,
// GnuTLS, Kerberos, LDAP, ...), bound ~10,000 of their symbols and ran their initialisers: ~5 ms of CPU, half of
// `dqmon --version` and a fifth of a one-dataset check. These definitions take the place of libcurl's: the first
// call dlopens libcurl.so.4 and each function forwards to the real one (looked up once). The release link finds
// `link/libcurl.so`, an empty linker script, for Foundation's `-lcurl` (Package.swift), so libcurl is no longer
// a start-up dependency.
//
// Contract: the same calls reach the same libcurl, as long as libcurl.so.4 can be loaded when an alert is sent.
// If it cannot, the process stops with one line naming the library and exit 3 (before, the dynamic loader
// refused to start dqmon at all).
#if defined(__linux__) && defined(DQMON_LAZY_CURL)
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void *lazy_curl_library;
static pthread_once_t lazy_curl_once = PTHREAD_ONCE_INIT;

static void lazy_curl_open(void) {
    lazy_curl_library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lazy_curl_library == NULL) lazy_curl_library = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
}

static void *lazy_curl_symbol(const char *name) {
    pthread_once(&lazy_curl_once, lazy_curl_open);
    void *symbol = lazy_curl_library != NULL ? dlsym(lazy_curl_library, name) : NULL;
    if (symbol == NULL) {
        fprintf(stderr, "dqmon: error: cannot load %s from libcurl.so.4 (needed to send alerts; install libcurl4): %s\n",
                name, dlerror());
        exit(3);
    }
    return symbol;
}

// The real function, looked up on first use; the pointer is published atomically (several threads may call at once).
#define LAZY_CURL_RESOLVE(type, name) \
    static type cached; \
    type fn = __atomic_load_n(&cached, __ATOMIC_ACQUIRE); \
    if (fn == NULL) { fn = (type)lazy_curl_symbol(#name); __atomic_store_n(&cached, fn, __ATOMIC_RELEASE); }

#define LAZY_CURL(ret, name, params, args) \
    ret name params { \
        typedef ret (*function_t) params; \
        LAZY_CURL_RESOLVE(function_t, name) \
        return fn args; \
    }

#define LAZY_CURL_VOID(name, params, args) \
    void name params { \
        typedef void (*function_t) params; \
        LAZY_CURL_RESOLVE(function_t, name) \
        fn args; \
    }

// setopt/getinfo take one more argument: a long, a pointer or a curl_off_t, each one 64-bit integer-class
// argument on the 64-bit Linux ABIs, so it is passed on as a pointer-sized value.
#define LAZY_CURL_VARIADIC(name, handle_t) \
    int name(handle_t handle, int option, ...) { \
        typedef int (*function_t)(handle_t, int, ...); \
        LAZY_CURL_RESOLVE(function_t, name) \
        va_list arguments; \
        va_start(arguments, option); \
        void *value = va_arg(arguments, void *); \
        va_end(arguments); \
        return fn(handle, option, value); \
    }

LAZY_CURL_VOID(curl_easy_cleanup, (void *easy), (easy))
LAZY_CURL(void *, curl_easy_init, (void), ())
LAZY_CURL(int, curl_easy_pause, (void *easy, int bitmask), (easy, bitmask))
LAZY_CURL(const char *, curl_easy_strerror, (int code), (code))
LAZY_CURL_VOID(curl_free, (void *pointer), (pointer))
LAZY_CURL(int, curl_global_init, (long flags), (flags))
LAZY_CURL(int, curl_multi_add_handle, (void *multi, void *easy), (multi, easy))
LAZY_CURL(int, curl_multi_assign, (void *multi, int socket, void *pointer), (multi, socket, pointer))
LAZY_CURL(int, curl_multi_cleanup, (void *multi), (multi))
LAZY_CURL(void *, curl_multi_info_read, (void *multi, int *left), (multi, left))
LAZY_CURL(void *, curl_multi_init, (void), ())
LAZY_CURL(int, curl_multi_remove_handle, (void *multi, void *easy), (multi, easy))
LAZY_CURL(int, curl_multi_socket_action, (void *multi, int socket, int mask, int *running), (multi, socket, mask, running))
LAZY_CURL(void *, curl_slist_append, (void *list, const char *text), (list, text))
LAZY_CURL_VOID(curl_slist_free_all, (void *list), (list))
LAZY_CURL(void *, curl_url, (void), ())
LAZY_CURL(int, curl_url_get, (void *url, int part, char **part_out, unsigned int flags), (url, part, part_out, flags))
LAZY_CURL(int, curl_url_set, (void *url, int part, const char *content, unsigned int flags), (url, part, content, flags))
LAZY_CURL(char *, curl_version, (void), ())
LAZY_CURL(void *, curl_version_info, (int age), (age))
LAZY_CURL_VARIADIC(curl_easy_setopt, void *)
LAZY_CURL_VARIADIC(curl_easy_getinfo, void *)
LAZY_CURL_VARIADIC(curl_multi_setopt, void *)
#endif
