/*
 * C implementation of websockets.utils.apply_mask (RFC 6455, section 5.3).
 *
 * Optional: setup.py builds it when a C compiler is available, and
 * websockets.utils falls back to pure Python otherwise, or when the
 * WEBSOCKETS_NO_SPEEDUPS environment variable is set.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static PyObject *
apply_mask(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer data, mask;
    PyObject *result = NULL;

    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError,
                     "apply_mask() takes 2 arguments (%zd given)", nargs);
        return NULL;
    }
    if (PyObject_GetBuffer(args[0], &data, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(args[1], &mask, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    if (mask.len != 4) {
        PyErr_SetString(PyExc_ValueError, "mask must contain 4 bytes");
        goto done;
    }

    result = PyBytes_FromStringAndSize(NULL, data.len);
    if (result == NULL) {
        goto done;
    }

    {
        const unsigned char *in = (const unsigned char *)data.buf;
        const unsigned char *key = (const unsigned char *)mask.buf;
        unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
        Py_ssize_t size = data.len;
        Py_ssize_t i = 0;

        /* XOR eight bytes at a time with the key repeated twice; memcpy
           makes unaligned loads and stores safe, and compilers turn it
           into plain moves. The key's phase is the same at every multiple
           of 4, so the tail continues where the words stopped. */
        uint32_t key32;
        uint64_t key64;
        memcpy(&key32, key, 4);
        key64 = ((uint64_t)key32 << 32) | key32;

        /* The GIL stays held: this runs at memory speed, and releasing it
           would cost more than it saves on typical frames. */
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

done:
    PyBuffer_Release(&mask);
    PyBuffer_Release(&data);
    return result;
}

static PyMethodDef speedups_methods[] = {
    {
        "apply_mask",
        (PyCFunction)(void (*)(void))apply_mask,
        METH_FASTCALL,
        "Apply a 4-byte masking key to a bytes-like object.",
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
    all = Py_BuildValue("[s]", "apply_mask");
    if (all == NULL || PyModule_AddObject(module, "__all__", all) < 0) {
        Py_XDECREF(all);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
