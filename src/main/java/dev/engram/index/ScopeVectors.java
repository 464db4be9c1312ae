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
 * <p>An owner is in one of three states, and the state decides where Lucene keeps its vectors ({@link #graphed}):
 * <ul>
 *   <li><b>held</b> (up to {@code ownerLimit} vectors): in memory, searched by scan; in Lucene its vectors are in the
 *       flat field {@link LuceneDocs#EXACT_VECTOR}, which has no HNSW graph to build at every add and merge;</li>
 *   <li><b>graphing</b> (it just grew past the limit): still in memory and scanned, while {@link LuceneStore#graph}
 *       moves its vectors into the HNSW field {@link LuceneDocs#VECTOR}; its new vectors go there directly;</li>
 *   <li><b>large</b>: out of memory for good (until the index is reopened), all its vectors in the HNSW field.</li>
 * </ul>
 * So memory is bounded by the vectors of the small owners (4 bytes per dimension each, 5 past {@link
 * HeldVectors#CODED_FROM}, plus about 100 bytes of bookkeeping) and of those being moved, and a search of a scope scans its small owners and asks HNSW only for its
 * large ones ({@link ScopeHits}).
 *
 * <p>Writes change this before Lucene (see {@link LuceneStore}), so a search sees every write acknowledged before it
 * started. Thread-safe: writes are serialised; a search locks one owner at a time.
 */
final class ScopeVectors {
  private final int ownerLimit;
  private final Map<Key, HeldVectors> owners = new ConcurrentHashMap<>();
  /** Owners that outgrew {@link #ownerLimit}: searched by HNSW only. */
  private final Set<Key> large = ConcurrentHashMap.newKeySet();
  /** Owners that outgrew {@link #ownerLimit} and are still held while their vectors move to the HNSW field. */
  private final Set<Key> graphing = ConcurrentHashMap.newKeySet();
  /**
   * The passages of each graphing owner rewritten or deleted since it started graphing: their documents in the flat
   * field are gone or outdated, so the move must not rebuild them ({@link #writtenWhileGraphing}). New passages are
   * not recorded: they have no flat document.
   */
  private final Map<Key, Set<UUID>> writtenWhileGraphing = new HashMap<>();
  /** Owners that started graphing since {@link #takeGraphing} was last called. */
  private final List<Key> toGraph = new ArrayList<>();
  /** The owner of each passage held here (for deletes by id). */
  private final Map<UUID, Key> ownerOf = new HashMap<>();

  /** An owner id is only unique within its user: two users' agents may share one (imported agents, tests). */
  record Key(UUID user, UUID owner) {}

  /**
   * What a vector search of a scope needs: the exact best of its owners held in memory, and the owners whose vectors
   * only HNSW holds (empty when the whole scope was scanned).
   */
  record ScopeHits(List<ScoredPassage> exact, List<UUID> graphedOwners) {}

  ScopeVectors(int ownerLimit) {
    this.ownerLimit = ownerLimit;
  }

  /**
   * Reads every live vector of {@code reader} into memory whose owner holds at most {@code ownerLimit} of them; an
   * owner with more is large, unless some of its vectors are still in the flat field (a move cut short by a stop):
   * then it is held and graphing again, and {@link #takeGraphing} returns it.
   */
  static ScopeVectors load(IndexReader reader, int ownerLimit) throws IOException {
    var vectors = new ScopeVectors(ownerLimit);
    List<Key[]> keysOfLeaves = new ArrayList<>();
    Map<Key, Integer> counts = new HashMap<>();
    Set<Key> flat = new HashSet<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      Key[] keys = keysOf(leaf.reader());
      keysOfLeaves.add(keys);
      forEachVector(leaf.reader(), keys, (key, doc, values, inFlat) -> {
        counts.merge(key, 1, Integer::sum);
        if (inFlat) {
          flat.add(key);
        }
      });
    }
    counts.forEach((key, count) -> {
      if (count > ownerLimit) {
        (flat.contains(key) ? vectors.graphing : vectors.large).add(key);
      }
    });
    vectors.toGraph.addAll(vectors.graphing);
    Set<String> idOnly = Set.of(LuceneDocs.ID);
    StoredFields fields = reader.storedFields();
    for (LeafReaderContext leaf : reader.leaves()) {
      forEachVector(leaf.reader(), keysOfLeaves.get(leaf.ord), (key, doc, values, inFlat) -> {
        if (!vectors.large.contains(key)) {
          UUID id = UUID.fromString(fields.document(leaf.docBase + doc, idOnly).get(LuceneDocs.ID));
          vectors.hold(id, key, values.vectorValue());
        }
      });
    }
    return vectors;
  }

  private interface VectorVisitor {
    void visit(Key key, int doc, FloatVectorValues values, boolean flat) throws IOException;
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
          visitor.visit(keys[doc], doc, values, field.equals(LuceneDocs.EXACT_VECTOR));
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

  /** Whether Lucene keeps the vectors of this owner in its HNSW field (it is large or moving there). */
  boolean graphed(UUID user, UUID owner) {
    Key key = new Key(user, owner);
    return large.contains(key) || graphing.contains(key);
  }

  /** The owners that started graphing since the last call; their vectors are to be moved ({@link LuceneStore#graph}). */
  synchronized List<Key> takeGraphing() {
    List<Key> out = List.copyOf(toGraph);
    toGraph.clear();
    return out;
  }

  /**
   * Whether a write changed or deleted the passage since its owner started graphing: the move leaves it alone (the
   * write put its vector in the HNSW field, or removed it).
   */
  synchronized boolean writtenWhileGraphing(Key key, UUID id) {
    Set<UUID> written = writtenWhileGraphing.get(key);
    return written != null && written.contains(id);
  }

  /** Whether the owner is still graphing (not deleted meanwhile). */
  boolean isGraphing(Key key) {
    return graphing.contains(key);
  }

  /** Every vector of a graphing owner is in the HNSW field now: it leaves memory. */
  synchronized void moved(Key key) {
    if (graphing.contains(key)) {
      // large first: a write that reads neither (while the owner's ids are dropped, milliseconds for a large one)
      // would put its vectors in the flat field, where no search of a large owner looks
      large.add(key);
      graphing.remove(key);
      writtenWhileGraphing.remove(key);
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
    graphing.remove(key);
    writtenWhileGraphing.remove(key);
  }

  synchronized void deleteUser(UUID user) {
    for (var e : List.copyOf(owners.entrySet())) {
      if (e.getKey().user().equals(user)) {
        drop(e.getKey(), e.getValue());
      }
    }
    large.removeIf(key -> key.user().equals(user));
    graphing.removeIf(key -> key.user().equals(user));
    writtenWhileGraphing.keySet().removeIf(key -> key.user().equals(user));
  }

  synchronized void clear() {
    owners.clear();
    large.clear();
    graphing.clear();
    toGraph.clear();
    writtenWhileGraphing.clear();
    ownerOf.clear();
  }

  /**
   * The {@code n} vectors of {@code user}'s {@code scope} held in memory most similar to {@code query} by dot product
   * (the cosine for the unit vectors the index holds), best first, and the owners of the scope that only HNSW holds;
   * scored with {@code dot} (benchmarks compare kernels), large owners' scans shared with {@code helper}'s thread
   * ({@link SharedScan}; null: none).
   */
  ScopeHits search(UUID user, Collection<UUID> scope, float[] query, int n, DotProduct dot, Executor helper) {
    List<HeldVectors> scanned = new ArrayList<>(scope.size());
    List<UUID> graphedOwners = new ArrayList<>();
    for (UUID id : scope) {
      Key key = new Key(user, id);
      HeldVectors o = owners.get(key);
      if (large.contains(key)) {
        if (!graphedOwners.contains(id)) {
          graphedOwners.add(id);
        }
      } else if (o != null && !scanned.contains(o)) {
        scanned.add(o);
      }
    }
    var best = new TopHits<UUID>(n);
    for (HeldVectors o : scanned) {
      o.scan(query, best, dot, helper);
    }
    return new ScopeHits(best.sorted(ScoredPassage::new), graphedOwners);
  }

  private void put(UUID id, UUID user, UUID owner, float[] vector) {
    Key key = new Key(user, owner);
    Key previous = ownerOf.get(id);
    if (previous != null && !previous.equals(key)) {
      remove(id);
    }
    if (large.contains(key)) {
      return;
    }
    if (ownerLimit <= 0) {
      large.add(key); // exact search off: every owner is graphed from its first vector
      return;
    }
    HeldVectors o = owners.get(key);
    if (o != null && o.size >= ownerLimit && !o.has(id) && graphing.add(key)) {
      toGraph.add(key);
    }
    hold(id, key, vector);
    if (key.equals(previous)) { // a rewrite: a new passage has no flat document for the move to rebuild
      noteWrite(key, id);
    }
  }

  /** Records a rewrite or delete of a graphing owner's passage (see {@link #writtenWhileGraphing}). */
  private void noteWrite(Key key, UUID id) {
    if (graphing.contains(key)) {
      writtenWhileGraphing.computeIfAbsent(key, k -> new HashSet<>()).add(id);
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
