# Declarations for the compiled twin of lowlevel.py (see websockets.compiled):
# _FramePath becomes an extension type whose attributes are C fields and
# whose methods call each other and the core directly.

from .sansio.connection cimport Connection

cdef class _FramePath:
    cdef public Connection sansio
    cdef public object listener
    cdef public object transport
    cdef public object logger
    cdef public bint debug
    cdef public object _close_timeout
    cdef public object _loop
    cdef public bint _vectored
    cdef public object _scratch
    cdef public bint _receiving_direct
    cdef public bint _lost
    cdef public object _close_timer

    cpdef flush(self)
    cpdef _dispatch(self, list events)
