/*
 * Engram's native scan kernel: the scores of many rows of signed byte codes against one query, on AVX-512 VNNI
 * (vpdpbusd multiplies 64 bytes by 64 bytes and adds each four products into a 32-bit lane in one instruction; the
 * JDK 17 Vector API has no such operation and widens every byte to a float instead). Loaded and called by
 * dev.engram.index.NativeDotProduct (its nested Library), which checks every bound before the call: this file
 * trusts its arguments.
 *
 * The query arrives as two byte vectors, hi and lo, padded with zeros to a multiple of 64, with
 * query[i] ~ scale * (hi[i] + lo[i] / 254): sixteen bits of the float query, so the products are those of the float
 * kernel to about 1e-5 of their size. vpdpbusd takes one operand unsigned, so each code c is read as c + 128 (its sign
 * bit flipped) and 128 * sum(hi) is taken off afterwards.
 *
 * A first pass over many rows may read four-bit codes instead (nibble_scores): half the bytes of the byte codes, so
 * half the memory traffic of a scan that does not fit the cache. Each row holds its unsigned codes u (0-15, value
 * u - 8) two to a byte, in blocks of 64 bytes for 128 dimensions: byte k of block b holds dimension 128 b + k in its
 * low half and 128 b + 64 + k in its high half, so a block's two halves meet the query's next 128 components in
 * order. Only the query's high byte is used there: a first pass ranks, the byte codes then score its picks.
 */
#include <jni.h>
#include <stdint.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define KERNEL __attribute__((target("avx512f,avx512bw,avx512vnni")))
/* How many chosen rows ahead of the one being scored are asked from memory. */
#define AHEAD 8

/* Rows first .. first + rows - 1 of codes, or, when at is not NULL, rows at[0] .. at[rows - 1]. */
KERNEL static void scores(const int8_t *codes, const float *scales, float base, int first, const int32_t *at,
                          int rows, int dim, const int8_t *hi, const int8_t *lo, float scale, float *out) {
  int32_t hiSum = 0;
  int32_t loSum = 0;
  int padded = (dim + 63) & ~63;
  for (int i = 0; i < padded; i++) {
    hiSum += hi[i];
    loSum += lo[i];
  }
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  int whole = dim & ~63;
  __mmask64 tail = dim > whole ? (~0ULL >> (64 - (dim - whole))) : 0;
  for (int r = 0; r < rows; r++) {
    int64_t index = at == NULL ? (int64_t)first + r : at[r];
    const int8_t *row = codes + index * dim;
    if (at != NULL && r + AHEAD < rows) {
      /* chosen rows are scattered, so the CPU's prefetcher cannot guess them. 533 rows chosen from 12,500 just
         read by a four-bit pass took 96-130 ns a row without this, 60-74 ns with it (20 ns in order) */
      const int8_t *later = codes + (int64_t)at[r + AHEAD] * dim;
      for (int i = 0; i < dim; i += 64) {
        _mm_prefetch((const char *)(later + i), _MM_HINT_T0);
      }
      _mm_prefetch((const char *)(scales + at[r + AHEAD]), _MM_HINT_T0);
    }
    __m512i h = _mm512_setzero_si512();
    __m512i l = _mm512_setzero_si512();
    int i = 0;
    for (; i < whole; i += 64) {
      __m512i c = _mm512_xor_si512(_mm512_loadu_si512(row + i), flip);
      h = _mm512_dpbusd_epi32(h, c, _mm512_loadu_si512(hi + i));
      l = _mm512_dpbusd_epi32(l, c, _mm512_loadu_si512(lo + i));
    }
    if (tail) { /* the lanes past the row read as 128, times the query's zero padding */
      __m512i c = _mm512_xor_si512(_mm512_maskz_loadu_epi8(tail, row + i), flip);
      h = _mm512_dpbusd_epi32(h, c, _mm512_loadu_si512(hi + i));
      l = _mm512_dpbusd_epi32(l, c, _mm512_loadu_si512(lo + i));
    }
    int32_t H = _mm512_reduce_add_epi32(h) - 128 * hiSum;
    int32_t L = _mm512_reduce_add_epi32(l) - 128 * loSum;
    out[r] = base + scales[index] * (scale * ((float)H + (float)L * (1.0f / 254)));
  }
}

/* out[r] = base + scales[r] * scale * sum over i of (u_i - 8) q_i, rows of bytes bytes (a multiple of 64). */
KERNEL static void nibble_scores(const uint8_t *nibbles, const float *scales, float base, int rows, int bytes,
                                 const int8_t *q, float scale, float *out) {
  int32_t qSum = 0;
  for (int i = 0; i < 2 * bytes; i++) {
    qSum += q[i];
  }
  const __m512i low = _mm512_set1_epi8(0x0F);
  for (int r = 0; r < rows; r++) {
    const uint8_t *row = nibbles + (int64_t)r * bytes;
    __m512i sum = _mm512_setzero_si512();
    for (int i = 0; i < bytes; i += 64) {
      __m512i x = _mm512_loadu_si512(row + i);
      sum = _mm512_dpbusd_epi32(sum, _mm512_and_si512(x, low), _mm512_loadu_si512(q + 2 * i));
      __m512i high = _mm512_and_si512(_mm512_srli_epi16(x, 4), low);
      sum = _mm512_dpbusd_epi32(sum, high, _mm512_loadu_si512(q + 2 * i + 64));
    }
    out[r] = base + scales[r] * (scale * (float)(_mm512_reduce_add_epi32(sum) - 8 * qSum));
  }
}

static int usable(void) {
  __builtin_cpu_init();
  /* libgcc sets the AVX-512 features only when the OS saves the ZMM registers (XCR0) */
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
      && __builtin_cpu_supports("avx512vnni");
}
#else
static int usable(void) { return 0; }
#endif

JNIEXPORT jboolean JNICALL Java_dev_engram_index_NativeDotProduct_00024Library_usable(JNIEnv *env,
                                                                                      jclass cls) {
  (void)env;
  (void)cls;
  return usable() ? JNI_TRUE : JNI_FALSE;
}

/*
 * out[r] = base + scales[row] * (query . codes row), rows of dim bytes, for the rows first .. first + rows - 1, or,
 * when at is not null, at[0] .. at[rows - 1]. False when nothing was computed.
 */
JNIEXPORT jboolean JNICALL Java_dev_engram_index_NativeDotProduct_00024Library_scores(
    JNIEnv *env, jclass cls, jbyteArray hi, jbyteArray lo, jfloat scale, jbyteArray codes, jfloatArray scales,
    jfloat base, jint first, jintArray at, jint rows, jint dim, jfloatArray out) {
  (void)cls;
#if defined(__x86_64__)
  /* critical access: no copies of the arrays; nothing in between may call back into the JVM */
  jbyte *h = (*env)->GetPrimitiveArrayCritical(env, hi, NULL);
  jbyte *l = (*env)->GetPrimitiveArrayCritical(env, lo, NULL);
  jbyte *c = (*env)->GetPrimitiveArrayCritical(env, codes, NULL);
  jfloat *s = (*env)->GetPrimitiveArrayCritical(env, scales, NULL);
  jint *a = at == NULL ? NULL : (*env)->GetPrimitiveArrayCritical(env, at, NULL);
  jfloat *o = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
  jboolean done = h != NULL && l != NULL && c != NULL && s != NULL && (at == NULL || a != NULL) && o != NULL;
  if (done) {
    scores((const int8_t *)c, s, base, first, (const int32_t *)a, rows, dim, (const int8_t *)h, (const int8_t *)l,
           scale, o);
  }
  if (o != NULL) (*env)->ReleasePrimitiveArrayCritical(env, out, o, 0);
  if (a != NULL) (*env)->ReleasePrimitiveArrayCritical(env, at, a, JNI_ABORT);
  if (s != NULL) (*env)->ReleasePrimitiveArrayCritical(env, scales, s, JNI_ABORT);
  if (c != NULL) (*env)->ReleasePrimitiveArrayCritical(env, codes, c, JNI_ABORT);
  if (l != NULL) (*env)->ReleasePrimitiveArrayCritical(env, lo, l, JNI_ABORT);
  if (h != NULL) (*env)->ReleasePrimitiveArrayCritical(env, hi, h, JNI_ABORT);
  return done;
#else
  (void)env; (void)hi; (void)lo; (void)scale; (void)codes; (void)scales; (void)base; (void)first; (void)at;
  (void)rows; (void)dim; (void)out;
  return JNI_FALSE;
#endif
}

/*
 * out[r] = base + scales[first + r] * scale * (q . the four-bit codes of row first + r), r in [0, rows); rows of
 * bytes bytes, q of 2 * bytes. False when nothing was computed.
 */
JNIEXPORT jboolean JNICALL Java_dev_engram_index_NativeDotProduct_00024Library_nibbleScores(
    JNIEnv *env, jclass cls, jbyteArray q, jfloat scale, jbyteArray nibbles, jfloatArray scales, jfloat base,
    jint first, jint rows, jint bytes, jfloatArray out) {
  (void)cls;
#if defined(__x86_64__)
  jbyte *query = (*env)->GetPrimitiveArrayCritical(env, q, NULL);
  jbyte *n = (*env)->GetPrimitiveArrayCritical(env, nibbles, NULL);
  jfloat *s = (*env)->GetPrimitiveArrayCritical(env, scales, NULL);
  jfloat *o = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
  jboolean done = query != NULL && n != NULL && s != NULL && o != NULL;
  if (done) {
    nibble_scores((const uint8_t *)n + (int64_t)first * bytes, s + first, base, rows, bytes, (const int8_t *)query,
                  scale, o);
  }
  if (o != NULL) (*env)->ReleasePrimitiveArrayCritical(env, out, o, 0);
  if (s != NULL) (*env)->ReleasePrimitiveArrayCritical(env, scales, s, JNI_ABORT);
  if (n != NULL) (*env)->ReleasePrimitiveArrayCritical(env, nibbles, n, JNI_ABORT);
  if (query != NULL) (*env)->ReleasePrimitiveArrayCritical(env, q, query, JNI_ABORT);
  return done;
#else
  (void)env; (void)q; (void)scale; (void)nibbles; (void)scales; (void)base; (void)first; (void)rows; (void)bytes;
  (void)out;
  return JNI_FALSE;
#endif
}
