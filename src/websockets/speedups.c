/*
 * C implementations of the hot spots of websockets.
 *
 * apply_mask() is websockets.utils.apply_mask (RFC 6455, section 5.3);
 * payload_buffer() and mask_in_place() let websockets.framing receive a
 * large payload straight into the bytes object that it returns; payloads
 * and frames above 512 bytes are recycled (new_payload());
 * parse_frame(), serialize_frame() and new_frame() are the fast paths of
 * websockets.framing, split_head() that of websockets.http: those modules
 * have the reference implementations in Python; steps() is the coroutine
 * in which websockets.protocol's "async for" waits, whose reference is
 * _steps_python() there.
 *
 * Optional: setup.py builds it when a C compiler is available, and the
 * Python modules fall back to pure Python otherwise, or when the
 * WEBSOCKETS_NO_SPEEDUPS environment variable is set.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *
Py_NewRef(PyObject *o)
{
    Py_INCREF(o);
    return o;
}
#endif

/* Where the C library resolves functions at load time, xor_mask() comes in
   two builds, for AVX2 if the processor has it, else for the baseline (SSE2
   on x86-64): masking a large payload runs at about one and a half times
   the speed. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) \
    && defined(__GLIBC__)
#define MASK_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define MASK_CLONES
#endif

/* XOR `size` bytes with a 4-byte key, starting at the key's first byte;
   `out` may be `in`. */
MASK_CLONES static void
xor_mask(unsigned char *out, const unsigned char *in, Py_ssize_t size,
         const unsigned char *key)
{
    Py_ssize_t i = 0;
    /* Eight bytes at a time with the key repeated twice; memcpy makes
       unaligned loads and stores safe, and compilers turn it into plain
       moves. The key's phase is the same at every multiple of 4, so the
       tail continues where the words stopped. The GIL stays held: this
       runs at memory speed, and releasing it would cost more than it saves
       on typical frames. */
    uint32_t key32;
    uint64_t key64;
    memcpy(&key32, key, 4);
    key64 = ((uint64_t)key32 << 32) | key32;
    for (; i + 8 <= size; i += 8) {
        uint64_t word;
        memcpy(&word, in + i, 8);
        word ^= key64;
        memcpy(out + i, &word, 8);
    }
    for (; i < size; i++) {
        out[i] = in[i] ^ key[i & 3];
    }
}

/* A `frame_type` tuple of new references to six items: the way tuple.__new__
   builds an instance of a subclass. */
static PyObject *
build_frame(PyTypeObject *frame_type, PyObject *const *items)
{
    PyObject *frame = frame_type->tp_alloc(frame_type, 6);
    Py_ssize_t i;

    if (frame != NULL) {
        for (i = 0; i < 6; i++) {
            PyTuple_SET_ITEM(frame, i, Py_NewRef(items[i]));
        }
    }
    return frame;
}

/* The arguments of apply_mask() and mask_in_place(): a buffer, with
   `flags`, and a 4-byte key. On success, the caller releases both. */
static int
get_mask_args(PyObject *const *args, Py_ssize_t nargs, const char *name,
              int flags, Py_buffer *data, Py_buffer *mask)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "%s() takes 2 arguments (%zd given)",
                     name, nargs);
        return -1;
    }
    if (PyObject_GetBuffer(args[0], data, flags) < 0) {
        return -1;
    }
    if (PyObject_GetBuffer(args[1], mask, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(data);
        return -1;
    }
    if (mask->len != 4) {
        PyErr_SetString(PyExc_ValueError, "mask must contain 4 bytes");
        PyBuffer_Release(mask);
        PyBuffer_Release(data);
        return -1;
    }
    return 0;
}

/* Payloads are recycled: new_payload() hands out again the bytes object of
   the same size that it made last time for the same purpose, if nobody
   else holds it any more. A connection that receives, masks or sends
   messages of one size, one at a time, then allocates nothing for them:
   above pymalloc's 512 bytes, each allocation goes to the C library, which
   takes hundreds of instructions, and for large ones, page faults, and may
   return freed memory to the system after each one. A bytes object is
   immutable only once others see it; with no other reference, no one can
   tell. One object per purpose, so that what stays allocated is bounded for
   the whole process; two for payloads received, as a handler may still hold
   the message it's working on when the next one arrives, the previous loop
   variable of `async for`: the one before is free again by then. */
#define RECYCLE_MIN 512
#define RECYCLE_MAX 0x400000
/* The cached hash must be forgotten; the field is deprecated since 3.11
   and recycling is limited to the versions known to have it. Without a
   GIL, the reference count doesn't say whether others hold an object. */
#if PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define RECYCLE 1
#else
#define RECYCLE 0
#endif

/* Objects kept, by purpose: two for payloads received, one for the rest. */
enum { RECEIVED, RECEIVED_TOO, MASKED, SERIALIZED, PURPOSES };
static PyObject *recycled[PURPOSES];

static PyObject *
new_payload(int purpose, Py_ssize_t size)
{
    PyObject *bytes;
#if RECYCLE
    int slot, last = purpose == RECEIVED ? RECEIVED_TOO : purpose;

    for (slot = purpose; slot <= last; slot++) {
        bytes = recycled[slot];
        if (bytes != NULL && Py_REFCNT(bytes) == 1 && PyBytes_GET_SIZE(bytes) == size) {
            _Pragma("GCC diagnostic push")
            _Pragma("GCC diagnostic ignored \"-Wdeprecated-declarations\"")
            ((PyBytesObject *)bytes)->ob_shash = -1;
            _Pragma("GCC diagnostic pop")
            return Py_NewRef(bytes);
        }
    }
#endif
    bytes = PyBytes_FromStringAndSize(NULL, size);
#if RECYCLE
    if (bytes != NULL && size >= RECYCLE_MIN && size <= RECYCLE_MAX) {
        /* Keep the first slot if someone holds its object: it may be the
           message that a handler works on. */
        slot = purpose;
        if (last != purpose && recycled[slot] != NULL && Py_REFCNT(recycled[slot]) > 1) {
            slot = last;
        }
        Py_XSETREF(recycled[slot], Py_NewRef(bytes));
    }
#endif
    return bytes;
}

static PyObject *
apply_mask(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer data, mask;
    PyObject *result;

    if (get_mask_args(args, nargs, "apply_mask", PyBUF_SIMPLE, &data, &mask) < 0) {
        return NULL;
    }
    result = new_payload(MASKED, data.len);
    if (result != NULL) {
        xor_mask((unsigned char *)PyBytes_AS_STRING(result),
                 (const unsigned char *)data.buf, data.len,
                 (const unsigned char *)mask.buf);
    }
    PyBuffer_Release(&mask);
    PyBuffer_Release(&data);
    return result;
}

/*
 * payload_buffer(size)
 *
 * A bytes object of `size` bytes, not initialized (new or recycled), and a
 * writable memoryview of it: receiving a large payload there, rather than
 * into a buffer from which it is copied into a bytes object, saves a copy.
 * The caller writes every byte before anyone else sees the bytes object,
 * which is how CPython builds bytes objects in C. The memoryview's exporter holds
 * a reference to the bytes object, so that it outlives every view.
 */
typedef struct {
    PyObject_HEAD
    PyObject *bytes;
} PayloadFiller;

static int
filler_getbuffer(PayloadFiller *self, Py_buffer *view, int flags)
{
    return PyBuffer_FillInfo(view, (PyObject *)self,
                             PyBytes_AS_STRING(self->bytes),
                             PyBytes_GET_SIZE(self->bytes), 0, flags);
}

static void
filler_dealloc(PayloadFiller *self)
{
    Py_DECREF(self->bytes);
    PyObject_Free(self);
}

static PyBufferProcs filler_as_buffer = {
    (getbufferproc)filler_getbuffer,
    NULL,
};

static PyTypeObject PayloadFillerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "websockets.speedups.PayloadFiller",
    .tp_basicsize = sizeof(PayloadFiller),
    .tp_dealloc = (destructor)filler_dealloc,
    .tp_as_buffer = &filler_as_buffer,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Exporter of a writable buffer over a bytes object being filled.",
};

static PyObject *
payload_buffer(PyObject *self, PyObject *arg)
{
    Py_ssize_t size = PyLong_AsSsize_t(arg);
    PayloadFiller *filler;
    PyObject *bytes, *view;

    if (size == -1 && PyErr_Occurred()) {
        return NULL;
    }
    /* The empty bytes object is a shared singleton. */
    if (size < 1) {
        PyErr_SetString(PyExc_ValueError, "size must be positive");
        return NULL;
    }
    bytes = new_payload(RECEIVED, size);
    if (bytes == NULL) {
        return NULL;
    }
    filler = PyObject_New(PayloadFiller, &PayloadFillerType);
    if (filler == NULL) {
        Py_DECREF(bytes);
        return NULL;
    }
    filler->bytes = Py_NewRef(bytes);
    view = PyMemoryView_FromObject((PyObject *)filler);
    Py_DECREF(filler);
    if (view == NULL) {
        Py_DECREF(bytes);
        return NULL;
    }
    return Py_BuildValue("(NN)", bytes, view);
}

/*
 * mask_in_place(buffer, mask)
 *
 * apply_mask() over a writable buffer, in place.
 */
static PyObject *
mask_in_place(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer data, mask;

    if (get_mask_args(args, nargs, "mask_in_place", PyBUF_WRITABLE, &data,
                      &mask) < 0) {
        return NULL;
    }
    xor_mask((unsigned char *)data.buf, (const unsigned char *)data.buf,
             data.len, (const unsigned char *)mask.buf);
    PyBuffer_Release(&mask);
    PyBuffer_Release(&data);
    Py_RETURN_NONE;
}

/*
 * parse_frame(frame_type, opcodes, buffer, offset, limit, mask, max_size)
 *
 * The fast path of websockets.framing.FrameParser.parse(): the frame that
 * starts at `offset` in `buffer`, if all of it is there, before `limit`,
 * and it is an ordinary one: a known opcode (`opcodes` maps the low nibble
 * of the first byte to its Opcode, or None), masked if and only if `mask`,
 * a control frame of at most 125 bytes with FIN set, a data frame of at
 * most `max_size` bytes (None: no limit). Returns (frame, end), the frame
 * built as a `frame_type` tuple with its payload unmasked, and the offset
 * after it; else None, and the Python parser takes over, to wait for more
 * bytes or to raise the precise error.
 */
static PyObject *
parse_frame(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyTypeObject *frame_type;
    PyObject *opcodes, *opcode, *data, *frame, *end, *result = NULL;
    Py_ssize_t offset, limit, available, header;
    unsigned long long length;
    const unsigned char *p, *key = NULL;
    unsigned char first, second;
    int mask;
    Py_buffer view;

    if (nargs != 7) {
        PyErr_Format(PyExc_TypeError,
                     "parse_frame() takes 7 arguments (%zd given)", nargs);
        return NULL;
    }
    if (!PyType_Check(args[0])
            || !PyType_IsSubtype((PyTypeObject *)args[0], &PyTuple_Type)
            || !PyTuple_Check(args[1]) || PyTuple_GET_SIZE(args[1]) != 16) {
        PyErr_SetString(PyExc_TypeError,
                        "parse_frame() needs a tuple type and 16 opcodes");
        return NULL;
    }
    frame_type = (PyTypeObject *)args[0];
    opcodes = args[1];
    offset = PyLong_AsSsize_t(args[3]);
    if (offset == -1 && PyErr_Occurred()) {
        return NULL;
    }
    limit = PyLong_AsSsize_t(args[4]);
    if (limit == -1 && PyErr_Occurred()) {
        return NULL;
    }
    mask = PyObject_IsTrue(args[5]);
    if (mask < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(args[2], &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    if (offset < 0 || offset > limit || limit > view.len) {
        PyErr_SetString(PyExc_ValueError, "offset and limit out of the buffer");
        goto done;
    }

    p = (const unsigned char *)view.buf + offset;
    available = limit - offset;
    if (available < 2) {
        goto decline;
    }
    first = p[0];
    second = p[1];
    opcode = PyTuple_GET_ITEM(opcodes, first & 0x0F);
    if (opcode == Py_None || ((second & 0x80) != 0) != mask) {
        goto decline;
    }
    length = second & 0x7F;
    header = 2;
    if (first & 0x08) {
        /* A control frame: 125 bytes at most, never fragmented. */
        if (length > 125 || !(first & 0x80)) {
            goto decline;
        }
    }
    else {
        if (length == 126) {
            if (available < 4) {
                goto decline;
            }
            length = ((unsigned long long)p[2] << 8) | p[3];
            header = 4;
        }
        else if (length == 127) {
            int i;
            if (available < 10) {
                goto decline;
            }
            length = 0;
            for (i = 2; i < 10; i++) {
                length = (length << 8) | p[i];
            }
            header = 10;
        }
        if (args[6] != Py_None) {
            int overflow;
            long long max_size = PyLong_AsLongLongAndOverflow(args[6], &overflow);
            if (max_size == -1 && PyErr_Occurred()) {
                goto done;
            }
            /* A max_size beyond long long is no limit; a negative one
               refuses everything, and so does an invalid length (its top
               bit is set). */
            if (overflow < 0 || (overflow == 0
                    && (max_size < 0 || length > (unsigned long long)max_size))) {
                goto decline;
            }
        }
        if (length >> 63) {
            goto decline;
        }
    }
    if (mask) {
        if (available < header + 4) {
            goto decline;
        }
        key = p + header;
        header += 4;
    }
    if (length > (unsigned long long)(available - header)) {
        goto decline;
    }

    data = new_payload(RECEIVED, (Py_ssize_t)length);
    if (data == NULL) {
        goto done;
    }
    if (key != NULL) {
        xor_mask((unsigned char *)PyBytes_AS_STRING(data), p + header,
                 (Py_ssize_t)length, key);
    }
    else {
        memcpy(PyBytes_AS_STRING(data), p + header, (size_t)length);
    }
    {
        PyObject *items[6] = {
            first & 0x80 ? Py_True : Py_False,
            opcode,
            data,
            first & 0x40 ? Py_True : Py_False,
            first & 0x20 ? Py_True : Py_False,
            first & 0x10 ? Py_True : Py_False,
        };
        frame = build_frame(frame_type, items);
    }
    Py_DECREF(data);
    if (frame == NULL) {
        goto done;
    }
    end = PyLong_FromSsize_t(offset + header + (Py_ssize_t)length);
    if (end == NULL || (result = PyTuple_New(2)) == NULL) {
        Py_XDECREF(end);
        Py_DECREF(frame);
        goto done;
    }
    PyTuple_SET_ITEM(result, 0, frame);
    PyTuple_SET_ITEM(result, 1, end);
    goto done;

decline:
    result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&view);
    return result;
}

/*
 * serialize_frame(frame, key)
 *
 * websockets.framing.Frame.serialize() with a given masking key, or None
 * for no mask: the header, the key and the payload, masked if needed, in
 * one bytes object.
 */
static PyObject *
serialize_frame(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *frame, *result = NULL;
    Py_buffer data, key;
    long opcode;
    int i, bit, first, masked;
    Py_ssize_t header;
    unsigned char *out;

    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "serialize_frame() takes 2 arguments (%zd given)", nargs);
        return NULL;
    }
    frame = args[0];
    if (!PyTuple_Check(frame) || PyTuple_GET_SIZE(frame) != 6) {
        PyErr_SetString(PyExc_TypeError, "serialize_frame() needs a frame");
        return NULL;
    }
    opcode = PyLong_AsLong(PyTuple_GET_ITEM(frame, 1));
    if (opcode == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (opcode < 0 || opcode > 0x0F) {
        PyErr_Format(PyExc_ValueError, "invalid opcode: %ld", opcode);
        return NULL;
    }
    first = (int)opcode;
    /* FIN, then RSV1 to RSV3: bits 7, 6, 5, 4. */
    for (i = 0; i < 4; i++) {
        bit = PyObject_IsTrue(PyTuple_GET_ITEM(frame, i == 0 ? 0 : i + 2));
        if (bit < 0) {
            return NULL;
        }
        first |= bit << (7 - i);
    }
    masked = args[1] != Py_None;
    if (masked) {
        if (PyObject_GetBuffer(args[1], &key, PyBUF_SIMPLE) < 0) {
            return NULL;
        }
        if (key.len != 4) {
            PyErr_SetString(PyExc_ValueError, "mask must contain 4 bytes");
            PyBuffer_Release(&key);
            return NULL;
        }
    }
    if (PyObject_GetBuffer(PyTuple_GET_ITEM(frame, 2), &data, PyBUF_SIMPLE) < 0) {
        goto release_key;
    }

    /* RFC 6455 section 5.2: the shortest encoding of the length. */
    header = data.len < 126 ? 2 : data.len < 0x10000 ? 4 : 10;
    result = new_payload(SERIALIZED, header + 4 * masked + data.len);
    if (result == NULL) {
        goto release;
    }
    out = (unsigned char *)PyBytes_AS_STRING(result);
    out[0] = (unsigned char)first;
    if (header == 2) {
        out[1] = (unsigned char)data.len;
    }
    else if (header == 4) {
        out[1] = 126;
        out[2] = (unsigned char)(data.len >> 8);
        out[3] = (unsigned char)data.len;
    }
    else {
        unsigned long long length = (unsigned long long)data.len;
        out[1] = 127;
        for (i = 9; i >= 2; i--) {
            out[i] = (unsigned char)length;
            length >>= 8;
        }
    }
    if (masked) {
        out[1] |= 0x80;
        memcpy(out + header, key.buf, 4);
        xor_mask(out + header + 4, (const unsigned char *)data.buf, data.len,
                 (const unsigned char *)key.buf);
    }
    else {
        memcpy(out + header, data.buf, (size_t)data.len);
    }

release:
    PyBuffer_Release(&data);
release_key:
    if (masked) {
        PyBuffer_Release(&key);
    }
    return result;
}

/*
 * new_frame(frame_type, items)
 *
 * tuple.__new__(frame_type, items) for a tuple of six items: a frame built
 * without the generic call, its argument parsing and its copy of `items`.
 */
static PyObject *
new_frame(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyType_Check(args[0])
            || !PyType_IsSubtype((PyTypeObject *)args[0], &PyTuple_Type)
            || !PyTuple_Check(args[1]) || PyTuple_GET_SIZE(args[1]) != 6) {
        PyErr_SetString(PyExc_TypeError,
                        "new_frame() needs a tuple type and six items");
        return NULL;
    }
    return build_frame((PyTypeObject *)args[0],
                       ((PyTupleObject *)args[1])->ob_item);
}

/* Bytes of field-content (RFC 7230, section 3.2: HTAB, SP, VCHAR and
   obs-text), and of tokens (tchar): filled by PyInit_speedups(). */
static unsigned char field_byte[256];
static unsigned char token_byte[256];

static void
init_byte_classes(void)
{
    const char *tchar_punctuation = "!#$%&'*+-.^_`|~";
    int c;

    for (c = 0; c < 256; c++) {
        field_byte[c] = c == '\t' || (c >= 0x20 && c != 0x7f);
        token_byte[c] = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')
            || (c != 0 && strchr(tchar_punctuation, c) != NULL);
    }
}

/* The end of the line that starts at `p`, at its CR, if every byte before
   that CRLF is field-content; else NULL. */
static const char *
line_end(const char *p, const char *end)
{
    for (; p < end; p++) {
        if (!field_byte[(unsigned char)*p]) {
            return *p == '\r' && p + 1 < end && p[1] == '\n' ? p : NULL;
        }
    }
    return NULL;
}

/*
 * split_head(head, max_headers)
 *
 * The fast path of websockets.http._split_head_python(): `head` is a start
 * line, header lines and the empty line that ends them. Returns the start
 * line and a list of (name, value) pairs, names as they are, values without
 * surrounding whitespace, decoded as UTF-8 with surrogateescape; or None if
 * a line is invalid or there are more than `max_headers` headers, and the
 * line-by-line parser takes over, to raise the precise error.
 */
static PyObject *
split_head(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    const char *p, *end, *eol, *name_end, *value, *value_end;
    Py_ssize_t max_headers;
    PyObject *start_line, *pairs, *name_str, *value_str, *pair;

    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyLong_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError,
                        "split_head() needs a bytes head and a number of headers");
        return NULL;
    }
    max_headers = PyLong_AsSsize_t(args[1]);
    if (max_headers == -1 && PyErr_Occurred()) {
        return NULL;
    }
    p = PyBytes_AS_STRING(args[0]);
    end = p + PyBytes_GET_SIZE(args[0]);
    if (end - p < 4 || memcmp(end - 4, "\r\n\r\n", 4) != 0) {
        Py_RETURN_NONE;
    }
    /* The lines end at the CRLF of the empty line. */
    end -= 2;

    eol = line_end(p, end + 2);
    if (eol == NULL) {
        Py_RETURN_NONE;
    }
    pairs = PyList_New(0);
    if (pairs == NULL) {
        return NULL;
    }
    start_line = PyBytes_FromStringAndSize(p, eol - p);
    if (start_line == NULL) {
        goto error;
    }
    for (p = eol + 2; p < end; p = eol + 2) {
        if (PyList_GET_SIZE(pairs) >= max_headers) {
            goto decline;
        }
        /* field-name ":" OWS field-value OWS */
        for (name_end = p; token_byte[(unsigned char)*name_end]; name_end++) {
        }
        if (name_end == p || *name_end != ':') {
            goto decline;
        }
        eol = line_end(name_end + 1, end + 2);
        if (eol == NULL) {
            goto decline;
        }
        for (value = name_end + 1; value < eol && (*value == ' ' || *value == '\t');
                value++) {
        }
        for (value_end = eol;
                value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t');
                value_end--) {
        }
        name_str = PyUnicode_DecodeASCII(p, name_end - p, NULL);
        value_str = PyUnicode_DecodeUTF8(value, value_end - value, "surrogateescape");
        pair = name_str && value_str ? PyTuple_Pack(2, name_str, value_str) : NULL;
        Py_XDECREF(name_str);
        Py_XDECREF(value_str);
        if (pair == NULL || PyList_Append(pairs, pair) < 0) {
            Py_XDECREF(pair);
            goto error;
        }
        Py_DECREF(pair);
    }
    pair = PyTuple_Pack(2, start_line, pairs);
    Py_DECREF(start_line);
    Py_DECREF(pairs);
    return pair;

decline:
    Py_DECREF(start_line);
    Py_DECREF(pairs);
    Py_RETURN_NONE;
error:
    Py_XDECREF(start_line);
    Py_DECREF(pairs);
    return NULL;
}

/*
 * steps(step, arg)
 *
 * A coroutine that runs step(arg) each time it's resumed: while step
 * returns an asyncio future (anything awaitable is taken for one; messages
 * never are), it waits for that future, then runs step again; whatever
 * else step returns is its result. Each step of "async for" over a
 * connection is one: step takes a message if one is queued, else returns a
 * future that the next message resolves. The future goes to the event
 * loop's task as is, as "await future" hands it over, so that waiting costs
 * no coroutine frame, no closure and no future iterator. When the task
 * cancels the wait, it throws CancelledError in, which ends the coroutine.
 *
 * It has the methods of collections.abc.Coroutine, so that asyncio takes it
 * wherever it takes a coroutine, e.g. asyncio.create_task(anext(ws)).
 */
typedef struct {
    PyObject_HEAD
    PyObject *step; /* NULL once the coroutine has ended */
    PyObject *arg;
} Steps;

static PyObject *str_future_blocking;

static void
steps_end(Steps *self)
{
    Py_CLEAR(self->step);
    Py_CLEAR(self->arg);
}

/* Run one step: 1 if *out is a future to wait for, 0 if *out is the
   result, -1 on an error (then *out is NULL). */
static int
steps_run(Steps *self, PyObject **out)
{
    PyObject *result;
    PyAsyncMethods *as_async;

    *out = NULL;
    if (self->step == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "cannot reuse already awaited coroutine");
        return -1;
    }
    result = PyObject_CallOneArg(self->step, self->arg);
    if (result == NULL) {
        steps_end(self);
        return -1;
    }
    as_async = Py_TYPE(result)->tp_as_async;
    if (as_async != NULL && as_async->am_await != NULL) {
        /* What Future.__await__ does before it yields the future: tell the
           task that this yield means "wake me when it's done". */
        if (PyObject_SetAttr(result, str_future_blocking, Py_True) < 0) {
            Py_DECREF(result);
            steps_end(self);
            return -1;
        }
        *out = result;
        return 1;
    }
    steps_end(self);
    *out = result;
    return 0;
}

static PyObject *
steps_next(Steps *self)
{
    PyObject *result, *stop;
    int status = steps_run(self, &result);

    if (status != 0) {
        return result; /* a future to yield, or NULL on an error */
    }
    /* The end: StopIteration carries the result. A tuple or an exception
       given to PyErr_SetObject() would be taken apart, so they're wrapped
       first. */
    if (PyTuple_Check(result) || PyExceptionInstance_Check(result)) {
        stop = PyObject_CallOneArg(PyExc_StopIteration, result);
        if (stop != NULL) {
            PyErr_SetObject(PyExc_StopIteration, stop);
            Py_DECREF(stop);
        }
    }
    else {
        PyErr_SetObject(PyExc_StopIteration, result);
    }
    Py_DECREF(result);
    return NULL;
}

static PyObject *
steps_send(Steps *self, PyObject *value)
{
    (void)value; /* asyncio sends None: the future holds what matters */
    return steps_next(self);
}

#if PY_VERSION_HEX >= 0x030A0000
/* What "await" uses from Python 3.10 on: no StopIteration at the end. */
static PySendResult
steps_am_send(Steps *self, PyObject *value, PyObject **result)
{
    (void)value;
    switch (steps_run(self, result)) {
    case 1:
        return PYGEN_NEXT;
    case 0:
        return PYGEN_RETURN;
    default:
        return PYGEN_ERROR;
    }
}
#endif

/* throw(value) or throw(type[, value[, traceback]]): the coroutine ends
   with that exception, as a coroutine suspended outside any try block. */
static PyObject *
steps_throw(Steps *self, PyObject *const *args, Py_ssize_t nargs)
{
    PyObject *type, *value, *tb;

    if (nargs < 1 || nargs > 3) {
        PyErr_SetString(PyExc_TypeError, "throw expected 1 to 3 arguments");
        return NULL;
    }
    type = args[0];
    value = nargs > 1 ? args[1] : Py_None;
    tb = nargs > 2 ? args[2] : Py_None;
    if (tb != Py_None && !PyTraceBack_Check(tb)) {
        PyErr_SetString(PyExc_TypeError,
                        "throw() third argument must be a traceback object");
        return NULL;
    }
    if (PyExceptionInstance_Check(type)) {
        if (value != Py_None) {
            PyErr_SetString(PyExc_TypeError,
                            "instance exception may not have a separate value");
            return NULL;
        }
        value = type;
        type = (PyObject *)Py_TYPE(value);
        if (tb == Py_None) {
            tb = PyException_GetTraceback(value);
            Py_XDECREF(tb); /* still held by the exception */
        }
    }
    else if (!PyExceptionClass_Check(type)) {
        PyErr_SetString(PyExc_TypeError,
                        "exceptions must be classes or instances deriving "
                        "from BaseException");
        return NULL;
    }
    steps_end(self);
    PyErr_Restore(Py_NewRef(type), Py_NewRef(value),
                  tb == NULL || tb == Py_None ? NULL : Py_NewRef(tb));
    return NULL;
}

static PyObject *
steps_close(Steps *self, PyObject *Py_UNUSED(ignored))
{
    steps_end(self);
    Py_RETURN_NONE;
}

static PyObject *
steps_await(Steps *self)
{
    return Py_NewRef((PyObject *)self);
}

static int
steps_traverse(Steps *self, visitproc visit, void *arg)
{
    Py_VISIT(self->step);
    Py_VISIT(self->arg);
    return 0;
}

static int
steps_clear(Steps *self)
{
    steps_end(self);
    return 0;
}

static void
steps_dealloc(Steps *self)
{
    PyObject_GC_UnTrack(self);
    steps_end(self);
    PyObject_GC_Del(self);
}

static PyAsyncMethods steps_as_async = {
    .am_await = (unaryfunc)steps_await,
#if PY_VERSION_HEX >= 0x030A0000
    .am_send = (sendfunc)steps_am_send,
#endif
};

static PyMethodDef steps_methods[] = {
    {"send", (PyCFunction)steps_send, METH_O,
     "Resume the coroutine; the value is ignored."},
    {"throw", (PyCFunction)(void (*)(void))steps_throw, METH_FASTCALL,
     "End the coroutine with an exception."},
    {"close", (PyCFunction)steps_close, METH_NOARGS,
     "End the coroutine."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject StepsType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "websockets.speedups.Steps",
    .tp_basicsize = sizeof(Steps),
    .tp_dealloc = (destructor)steps_dealloc,
    .tp_as_async = &steps_as_async,
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = "A coroutine that runs a step function until it has a result.",
    .tp_traverse = (traverseproc)steps_traverse,
    .tp_clear = (inquiry)steps_clear,
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = (iternextfunc)steps_next,
    .tp_methods = steps_methods,
};

static PyObject *
steps(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Steps *coro;

    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "steps() takes 2 arguments");
        return NULL;
    }
    coro = PyObject_GC_New(Steps, &StepsType);
    if (coro == NULL) {
        return NULL;
    }
    coro->step = Py_NewRef(args[0]);
    coro->arg = Py_NewRef(args[1]);
    PyObject_GC_Track(coro);
    return (PyObject *)coro;
}

static PyMethodDef speedups_methods[] = {
    {
        "apply_mask",
        (PyCFunction)(void (*)(void))apply_mask,
        METH_FASTCALL,
        "Apply a 4-byte masking key to a bytes-like object.",
    },
    {
        "payload_buffer",
        (PyCFunction)payload_buffer,
        METH_O,
        "Make a bytes object of a given size and a writable view of it.",
    },
    {
        "mask_in_place",
        (PyCFunction)(void (*)(void))mask_in_place,
        METH_FASTCALL,
        "Apply a 4-byte masking key to a writable buffer, in place.",
    },
    {
        "parse_frame",
        (PyCFunction)(void (*)(void))parse_frame,
        METH_FASTCALL,
        "Parse an ordinary frame that is whole in a buffer.",
    },
    {
        "serialize_frame",
        (PyCFunction)(void (*)(void))serialize_frame,
        METH_FASTCALL,
        "Serialize a frame with a given masking key, or None.",
    },
    {
        "new_frame",
        (PyCFunction)(void (*)(void))new_frame,
        METH_FASTCALL,
        "Build a frame from a tuple of its six items.",
    },
    {
        "split_head",
        (PyCFunction)(void (*)(void))split_head,
        METH_FASTCALL,
        "Split a valid HTTP head into its start line and headers.",
    },
    {
        "steps",
        (PyCFunction)(void (*)(void))steps,
        METH_FASTCALL,
        "Make a coroutine that runs step(arg) until it returns no future.",
    },
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    "websockets.speedups",
    "C implementation of performance-critical functions.",
    -1,
    speedups_methods,
};

PyMODINIT_FUNC
PyInit_speedups(void)
{
    PyObject *module = PyModule_Create(&speedups_module);
    PyObject *all;

    if (module == NULL) {
        return NULL;
    }
    if (PyType_Ready(&PayloadFillerType) < 0 || PyType_Ready(&StepsType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    str_future_blocking = PyUnicode_InternFromString("_asyncio_future_blocking");
    if (str_future_blocking == NULL) {
        Py_DECREF(module);
        return NULL;
    }
    init_byte_classes();
    all = Py_BuildValue("[ssssssss]", "apply_mask", "payload_buffer",
                        "mask_in_place", "parse_frame", "serialize_frame",
                        "new_frame", "split_head", "steps");
    if (all == NULL || PyModule_AddObject(module, "__all__", all) < 0) {
        Py_XDECREF(all);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
