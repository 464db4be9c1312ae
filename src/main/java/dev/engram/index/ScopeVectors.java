package dev.engram.index;

import dev.engram.index.PassageIndex.IndexedPassage;
import dev.engram.index.PassageIndex.ScoredPassage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;

/**
 * The vectors of the index held in memory by owner (an agent, a source, a Mem0 scope), each owner's in one contiguous
 * float array ({@link HeldVectors}), so that a vector search over the owners of up to {@code ownerLimit} vectors is
 * exact: a scan of every vector with {@link DotProduct#FASTEST} (past a few thousand, of their byte codes first). HNSW misses true neighbours among near-duplicates (recall@10 0.83 at 50,000
 * near-duplicate memories with 100 candidates); a scan cannot, and up to a few tens of thousands of vectors it costs
 * about what an HNSW search does.
 *
 * <p>An owner is in one of three states, and the state decides where Lucene keeps its vectors ({@link #fieldOf}):
 * <ul>
 *   <li><b>held</b> (up to {@code ownerLimit} vectors): in memory, searched by scan; in Lucene its vectors are in the
 *       flat field {@link LuceneDocs#EXACT_VECTOR}, which has no HNSW graph to build at every add and merge;</li>
 *   <li><b>moving</b> (it just grew past the limit): still in memory and scanned, while {@link OwnerMoves#move}
 *       moves its vectors into a large owner's field (the {@link Placement} picks it); its new vectors go there
 *       directly;</li>
 *   <li><b>large</b>: out of memory for good (until the index is reopened), all its vectors in that field: {@link
 *       LuceneDocs#LARGE_VECTOR}, flat again, whose segments' byte codes {@link StoredVectorScan} scans; or, past the
 *       codes' budget, the HNSW field {@link LuceneDocs#VECTOR}.</li>
 * </ul>
 * So memory is bounded by the vectors of the small owners (4 bytes per dimension each, 5 past {@link
 * HeldVectors#CODED_FROM}, plus about 100 bytes of bookkeeping) and of those being moved, and a search of a scope
 * scans its small owners here and leaves its large ones to the index ({@link ScopeHits}).
 *
 * <p>Writes change this before Lucene (see {@link LuceneStore}), so a search sees every write acknowledged before it
 * started. Thread-safe: writes are serialised; a search locks one owner at a time.
 */
final class ScopeVectors {
  private final int ownerLimit;
  private final Placement placement;
  private final Map<Key, HeldVectors> owners = new ConcurrentHashMap<>();
  /** Owners that outgrew {@link #ownerLimit}, with the field of their vectors: searched in the index only. */
  private final Map<Key, String> large = new ConcurrentHashMap<>();
  /** Owners that outgrew {@link #ownerLimit} and are still held while their vectors move to this field. */
  private final Map<Key, String> moving = new ConcurrentHashMap<>();
  /**
   * The passages of each moving owner rewritten or deleted since it started moving: their documents in the flat field
   * are gone or outdated, so the move must not rebuild them ({@link #writtenWhileMoving}). New passages are not
   * recorded: they have no document in the flat field.
   */
  private final Map<Key, Set<UUID>> writtenWhileMoving = new HashMap<>();
  /** Owners that started moving since {@link #takeMoving} was last called. */
  private final List<Key> toMove = new ArrayList<>();
  /** The owner of each passage held here (for deletes by id). */
  private final Map<UUID, Key> ownerOf = new HashMap<>();

  /** An owner id is only unique within its user: two users' agents may share one (imported agents, tests). */
  record Key(UUID user, UUID owner) {}

  /**
   * What a vector search of a scope needs: the exact best of its owners held in memory, and its large owners, whose
   * vectors only the index holds: those in {@link LuceneDocs#LARGE_VECTOR} ({@code scannedOwners}) and those in the
   * HNSW field ({@code graphedOwners}); both empty when the whole scope was searched here.
   */
  record ScopeHits(List<ScoredPassage> exact, List<UUID> scannedOwners, List<UUID> graphedOwners) {
    boolean complete() {
      return scannedOwners.isEmpty() && graphedOwners.isEmpty();
    }
  }

  /** Where the vectors of an owner that outgrows exact search go: {@link LuceneDocs#LARGE_FIELDS}. */
  interface Placement {
    String fieldFor(int vectors, int dim);

    /** Every large owner in the HNSW field. */
    Placement GRAPH = (vectors, dim) -> LuceneDocs.VECTOR;
  }

  ScopeVectors(int ownerLimit, Placement placement) {
    this.ownerLimit = ownerLimit;
    this.placement = placement;
  }

  /**
   * Reads every live vector of {@code reader} into memory whose owner holds at most {@code ownerLimit} of them; an
   * owner with more is large, its field the one its vectors are in ({@link LuceneDocs#LARGE_VECTOR} if some are
   * there: its scan reads both large fields), unless some of its vectors are still in {@link LuceneDocs#EXACT_VECTOR}
   * (a move cut short by a stop): then it is held and moving again, to the same field, and {@link #takeMoving}
   * returns it.
   */
  static ScopeVectors load(IndexReader reader, int ownerLimit, Placement placement) throws IOException {
    var vectors = new ScopeVectors(ownerLimit, placement);
    List<Key[]> keysOfLeaves = new ArrayList<>();
    Map<Key, Integer> counts = new HashMap<>();
    Map<Key, Set<String>> fieldsOf = new HashMap<>();
    int[] dim = {0};
    for (LeafReaderContext leaf : reader.leaves()) {
      Key[] keys = keysOf(leaf.reader());
      keysOfLeaves.add(keys);
      forEachVector(leaf.reader(), keys, (key, doc, values, field) -> {
        counts.merge(key, 1, Integer::sum);
        fieldsOf.computeIfAbsent(key, k -> new HashSet<>(2)).add(field);
        dim[0] = values.dimension();
      });
    }
    counts.forEach((key, count) -> {
      if (count > ownerLimit) {
        Set<String> in = fieldsOf.get(key);
        String field = in.contains(LuceneDocs.LARGE_VECTOR) ? LuceneDocs.LARGE_VECTOR
            : in.contains(LuceneDocs.VECTOR) ? LuceneDocs.VECTOR : placement.fieldFor(count, dim[0]);
        (in.contains(LuceneDocs.EXACT_VECTOR) ? vectors.moving : vectors.large).put(key, field);
      }
    });
    vectors.toMove.addAll(vectors.moving.keySet());
    Set<String> idOnly = Set.of(LuceneDocs.ID);
    StoredFields fields = reader.storedFields();
    for (LeafReaderContext leaf : reader.leaves()) {
      forEachVector(leaf.reader(), keysOfLeaves.get(leaf.ord), (key, doc, values, field) -> {
        if (!vectors.large.containsKey(key)) {
          UUID id = UUID.fromString(fields.document(leaf.docBase + doc, idOnly).get(LuceneDocs.ID));
          vectors.hold(id, key, values.vectorValue());
        }
      });
    }
    return vectors;
  }

  private interface VectorVisitor {
    void visit(Key key, int doc, FloatVectorValues values, String field) throws IOException;
  }

  /** Each live vector of the segment, in either field, positioned on its document. */
  private static void forEachVector(LeafReader r, Key[] keys, VectorVisitor visitor) throws IOException {
    Bits live = r.getLiveDocs();
    for (String field : LuceneDocs.VECTOR_FIELDS) {
      FloatVectorValues values = r.getFloatVectorValues(field);
      if (values == null) {
        continue;
      }
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if ((live == null || live.get(doc)) && keys[doc] != null) {
          visitor.visit(keys[doc], doc, values, field);
        }
      }
    }
  }

  /** The (user, owner) of each document of the segment (both indexed, not stored), null where one is missing. */
  static Key[] keysOf(LeafReader r) throws IOException {
    List<String> users = new ArrayList<>();
    int[] userOf = LuceneDocs.termOrdinals(r, LuceneDocs.USER, users);
    List<String> owners = new ArrayList<>();
    int[] ownerOf = LuceneDocs.termOrdinals(r, LuceneDocs.OWNER, owners);
    UUID[] userIds = users.stream().map(UUID::fromString).toArray(UUID[]::new);
    UUID[] ownerIds = owners.stream().map(UUID::fromString).toArray(UUID[]::new);
    Key[] keys = new Key[r.maxDoc()];
    for (int doc = 0; doc < keys.length; doc++) {
      if (userOf[doc] >= 0 && ownerOf[doc] >= 0) {
        keys[doc] = new Key(userIds[userOf[doc]], ownerIds[ownerOf[doc]]);
      }
    }
    return keys;
  }

  /** The field Lucene keeps this owner's vectors in: {@link LuceneDocs#EXACT_VECTOR} unless it is large or moving. */
  String fieldOf(UUID user, UUID owner) {
    Key key = new Key(user, owner);
    String field = large.get(key);
    if (field == null) {
      field = moving.get(key);
    }
    return field == null ? LuceneDocs.EXACT_VECTOR : field;
  }

  /** The owners that started moving since the last call; their vectors are to be moved ({@link OwnerMoves#move}). */
  synchronized List<Key> takeMoving() {
    List<Key> out = List.copyOf(toMove);
    toMove.clear();
    return out;
  }

  /**
   * Whether a write changed or deleted the passage since its owner started moving: the move leaves it alone (the
   * write put its vector in the owner's new field, or removed it).
   */
  synchronized boolean writtenWhileMoving(Key key, UUID id) {
    Set<UUID> written = writtenWhileMoving.get(key);
    return written != null && written.contains(id);
  }

  /** The field a moving owner's vectors go to; null when it is not moving (deleted meanwhile, or moved). */
  String movingTo(Key key) {
    return moving.get(key);
  }

  /** Every vector of a moving owner is in its new field now: it leaves memory. */
  synchronized void moved(Key key) {
    String field = moving.get(key);
    if (field != null) {
      // large first: a write that reads neither (while the owner's ids are dropped, milliseconds for a large one)
      // would put its vectors in the flat field, where no search of a large owner looks
      large.put(key, field);
      moving.remove(key);
      writtenWhileMoving.remove(key);
      HeldVectors o = owners.get(key);
      if (o != null) {
        drop(key, o);
      }
    }
  }

  /** How many vectors are held (for the log). */
  synchronized int size() {
    return ownerOf.size();
  }

  synchronized void upsert(Collection<IndexedPassage> passages) {
    for (IndexedPassage p : passages) {
      if (p.vector() == null) {
        remove(p.id()); // now text only
      } else {
        put(p.id(), p.userId(), p.ownerId(), p.vector());
      }
    }
  }

  synchronized void delete(Collection<UUID> ids) {
    for (UUID id : ids) {
      remove(id);
    }
  }

  synchronized void deleteOwner(UUID user, UUID owner) {
    Key key = new Key(user, owner);
    HeldVectors o = owners.get(key);
    if (o != null) {
      drop(key, o);
    }
    large.remove(key); // gone from the index: if it grows again it starts small
    moving.remove(key);
    writtenWhileMoving.remove(key);
  }

  synchronized void deleteUser(UUID user) {
    for (var e : List.copyOf(owners.entrySet())) {
      if (e.getKey().user().equals(user)) {
        drop(e.getKey(), e.getValue());
      }
    }
    large.keySet().removeIf(key -> key.user().equals(user));
    moving.keySet().removeIf(key -> key.user().equals(user));
    writtenWhileMoving.keySet().removeIf(key -> key.user().equals(user));
  }

  synchronized void clear() {
    owners.clear();
    large.clear();
    moving.clear();
    toMove.clear();
    writtenWhileMoving.clear();
    ownerOf.clear();
  }

  /**
   * The {@code n} vectors of {@code user}'s {@code scope} held in memory most similar to {@code query} by dot product
   * (the cosine for the unit vectors the index holds), best first, and the large owners of the scope; scored with
   * {@code dot} (benchmarks compare kernels), large owners' scans shared with {@code helper}'s thread
   * ({@link SharedScan}; null: none).
   */
  ScopeHits search(UUID user, Collection<UUID> scope, float[] query, int n, DotProduct dot, Executor helper) {
    List<HeldVectors> scanned = new ArrayList<>(scope.size());
    List<UUID> scannedOwners = new ArrayList<>();
    List<UUID> graphedOwners = new ArrayList<>();
    for (UUID id : scope) {
      Key key = new Key(user, id);
      HeldVectors o = owners.get(key);
      String field = large.get(key);
      if (field != null) {
        List<UUID> in = field.equals(LuceneDocs.VECTOR) ? graphedOwners : scannedOwners;
        if (!in.contains(id)) {
          in.add(id);
        }
      } else if (o != null && !scanned.contains(o)) {
        scanned.add(o);
      }
    }
    var best = new TopHits<UUID>(n);
    for (HeldVectors o : scanned) {
      o.scan(query, best, dot, helper);
    }
    return new ScopeHits(best.sorted(ScoredPassage::new), scannedOwners, graphedOwners);
  }

  private void put(UUID id, UUID user, UUID owner, float[] vector) {
    Key key = new Key(user, owner);
    Key previous = ownerOf.get(id);
    if (previous != null && !previous.equals(key)) {
      remove(id);
    }
    if (large.containsKey(key)) {
      return;
    }
    if (ownerLimit <= 0) {
      large.put(key, LuceneDocs.VECTOR); // exact search off: every owner is graphed from its first vector
      return;
    }
    HeldVectors o = owners.get(key);
    if (o != null && o.size >= ownerLimit && !o.has(id) && !moving.containsKey(key)) {
      moving.put(key, placement.fieldFor(o.size + 1, vector.length));
      toMove.add(key);
    }
    hold(id, key, vector);
    if (key.equals(previous)) { // a rewrite: a new passage has no flat document for the move to rebuild
      noteWrite(key, id);
    }
  }

  /** Records a rewrite or delete of a moving owner's passage (see {@link #writtenWhileMoving}). */
  private void noteWrite(Key key, UUID id) {
    if (moving.containsKey(key)) {
      writtenWhileMoving.computeIfAbsent(key, k -> new HashSet<>()).add(id);
    }
  }

  private void hold(UUID id, Key key, float[] vector) {
    owners.computeIfAbsent(key, k -> new HeldVectors(vector.length)).put(id, vector);
    ownerOf.put(id, key);
  }

  private void remove(UUID id) {
    Key owner = ownerOf.remove(id);
    HeldVectors o = owner == null ? null : owners.get(owner);
    if (o != null) {
      o.remove(id);
      noteWrite(owner, id);
    }
  }

  private void drop(Key owner, HeldVectors o) {
    owners.remove(owner);
    o.forEachId(ownerOf::remove);
  }
}
