package dev.extsvc.bench;

import dev.extsvc.spec.InjectionTarget;
import dev.extsvc.spec.RequestParts;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The rows of {@code count} waiting invocations, shaped like what the runtime writes for an Acme
 * application (one invocation, three tokens, five events; the request with masked callback URLs),
 * for the bulk loader.
 *
 * <p>Submit times spread evenly over the 30 days before {@code now}, ids are UUIDv7 of those times.
 * Services are skewed so that filters can be told apart: 69.9 % Acme, 30 % Payments, 0.1 % a rare
 * one. {@code sweep × bands} rows, spread over the whole table, are due in band b at {@code now + b
 * hours}; the rest a month later.
 */
final class WaitingRows {
  static final Duration SPAN = Duration.ofDays(30);
  static final String HANDLER = BenchHandler.class.getName();
  static final String PAYMENTS = "Payments";
  static final String RARE = "Rare Service";
  static final List<String> TARGETS =
      List.of(
          "body:/callbackUrlForOutcomes/approved",
          "body:/callbackUrlForOutcomes/rejected",
          "query:callbackUrlForErrorCases");
  static final List<String> KEYS =
      List.of(
          "[\"applicationOutcomeApproved\"]",
          "[\"applicationOutcomeRejected\"]",
          "[\"applicationError\"]");
  static final String SYNC_HEADERS =
      "{\"content-length\":[\"30\"],\"content-type\":[\"application/json\"],\"date\":[\"Mon, 01 Jun 2026 10:00:00 GMT\"]}";

  /**
   * Applicants' names: row i's is first name {@code i % 50} and last name {@code (i / 50) % 60}, so
   * that each of the 3,000 names is one row in 3,000 (a few hundred in a million); row 0's is Ada
   * Lovelace.
   */
  static final List<String> FIRST_NAMES =
      List.of(
          "Ada",
          "Alan",
          "Grace",
          "Edsger",
          "Barbara",
          "Donald",
          "Frances",
          "John",
          "Margaret",
          "Dennis",
          "Radia",
          "Ken",
          "Hedy",
          "Tim",
          "Sophie",
          "Linus",
          "Katherine",
          "Claude",
          "Mary",
          "Niklaus",
          "Anita",
          "Bjarne",
          "Adele",
          "Guido",
          "Jean",
          "James",
          "Karen",
          "Leslie",
          "Lynn",
          "Martin",
          "Shafi",
          "Robin",
          "Carol",
          "Butler",
          "Fran",
          "Edgar",
          "Evelyn",
          "Peter",
          "Ruth",
          "Tony",
          "Joan",
          "Brian",
          "Hannah",
          "Ivan",
          "Irene",
          "Charles",
          "Marian",
          "Seymour",
          "Sister",
          "Vint");

  static final List<String> LAST_NAMES =
      List.of(
          "Lovelace",
          "Turing",
          "Hopper",
          "Dijkstra",
          "Liskov",
          "Knuth",
          "Allen",
          "McCarthy",
          "Hamilton",
          "Ritchie",
          "Perlman",
          "Thompson",
          "Lamarr",
          "Berners",
          "Wilson",
          "Torvalds",
          "Johnson",
          "Shannon",
          "Keller",
          "Wirth",
          "Borg",
          "Stroustrup",
          "Goldberg",
          "Rossum",
          "Sammet",
          "Gosling",
          "Jones",
          "Lamport",
          "Conway",
          "Fowler",
          "Goldwasser",
          "Milner",
          "Shaw",
          "Lampson",
          "Bilas",
          "Codd",
          "Boyd",
          "Naur",
          "Teitelman",
          "Hoare",
          "Clarke",
          "Kernighan",
          "Fry",
          "Sutherland",
          "Greif",
          "Babbage",
          "Croak",
          "Papert",
          "Keller",
          "Cerf",
          "Kay",
          "Engelbart",
          "Bartik",
          "Goldstine",
          "Spence",
          "Estrin",
          "Feigenbaum",
          "Rees",
          "Sussman",
          "Steele");

  /** The applicant of row i (see {@link #FIRST_NAMES}). */
  static String name(int i) {
    return FIRST_NAMES.get(i % FIRST_NAMES.size())
        + " "
        + LAST_NAMES.get((i / FIRST_NAMES.size()) % LAST_NAMES.size());
  }

  /** The synchronous answer of row i: its own application number, ACME-i. */
  static String syncBody(int i) {
    return "{\"applicationNumber\":\"ACME-" + i + "\"}";
  }

  /**
   * One invocation's values in schema order; instants as epoch microseconds, as the store keeps
   * them.
   */
  record Invocation(
      UUID id,
      String service,
      String operation,
      String handlerState,
      String request,
      long submitMicros,
      long deadlineMicros) {}

  private final int count;
  private final int sweep;
  private final int stride;
  private final int bands;
  private final long nowMicros;
  private final long startMicros;
  private final String requestTemplate;
  private final SplittableRandom random = new SplittableRandom(42);

  WaitingRows(int count, int sweep, int bands, Instant now) {
    this.count = count;
    this.sweep = sweep;
    this.bands = bands;
    this.stride = Math.max(1, count / Math.max(1, sweep * bands));
    this.nowMicros = now.toEpochMilli() * 1000;
    this.startMicros = nowMicros - SPAN.toMillis() * 1000;
    this.requestTemplate = requestTemplate();
  }

  /**
   * The request as the runtime stores it, with placeholders for the applicant and the three hash
   * prefixes.
   */
  private static String requestTemplate() {
    RequestParts parts = RequestParts.fromJson(Json.readTrusted(Specs.applicationJson(-1)));
    for (int t = 0; t < TARGETS.size(); t++) {
      InjectionTarget.fromId(TARGETS.get(t))
          .inject(parts, "http://127.0.0.1:8080/callbacks/{token sha256:#" + t + "#}");
    }
    return parts.toJson().toString();
  }

  int count() {
    return count;
  }

  /** The band (0..bands-1) row i times out in, or -1 when it stays pending through every sweep. */
  int band(int i) {
    if (i % stride != 0 || i / stride >= (long) sweep * bands) {
      return -1;
    }
    return (i / stride) % bands;
  }

  Invocation invocation(int i) {
    long submit = startMicros + (SPAN.toMillis() * 1000 / count) * i;
    int band = band(i);
    long deadline =
        band < 0
            ? nowMicros + SPAN.toMillis() * 1000
            : nowMicros + band * 3_600_000_000L + i % 1000;
    String service = i % 1000 == 0 ? RARE : i % 10 >= 7 ? PAYMENTS : Specs.ACME;
    String operation =
        service.equals(RARE)
            ? "Ping"
            : service.equals(PAYMENTS)
                ? (i % 2 == 0 ? "CreatePayment" : "RefundPayment")
                : Specs.SUBMIT;
    String request =
        requestTemplate
            .replace("Applicant -1", name(i))
            .replace("-1 Main", i + " Main")
            .replace("#0#", prefix())
            .replace("#1#", prefix())
            .replace("#2#", prefix());
    return new Invocation(
        uuidV7(submit / 1000),
        service,
        operation,
        "{\"applicant\":\"A" + i + "\"}",
        request,
        submit,
        deadline);
  }

  /** A token hash: random, since no token of these rows is ever presented. */
  byte[] tokenHash() {
    byte[] hash = new byte[32];
    random.nextBytes(hash);
    return hash;
  }

  /** The five events the runtime appends for one Acme invocation before its callout returns. */
  static List<String[]> events(Invocation inv) {
    return List.of(
        new String[] {
          "SUBMITTED",
          "Invocation of "
              + inv.service()
              + "."
              + inv.operation()
              + " submitted; callback timeout PT24H, deadline "
              + Instant.EPOCH.plusNanos(inv.deadlineMicros() * 1000)
        },
        new String[] {
          "CALLBACK_URL",
          "Callback URL for applicationOutcomeApproved written to the request body at "
              + "/callbackUrlForOutcomes/approved (token sha256:1a2b3c4d)"
        },
        new String[] {
          "CALLBACK_URL",
          "Callback URL for applicationOutcomeRejected written to the request body at "
              + "/callbackUrlForOutcomes/rejected (token sha256:5e6f7a8b)"
        },
        new String[] {
          "CALLBACK_URL",
          "Callback URL for applicationError written to the query parameter "
              + "callbackUrlForErrorCases (token sha256:9c0d1e2f)"
        },
        new String[] {"CALLOUT", "POST http://127.0.0.1:9000/applications?… answered 201 in 3 ms"});
  }

  private String prefix() {
    return HexFormat.of().toHexDigits(random.nextInt());
  }

  private UUID uuidV7(long millis) {
    long msb = (millis << 16) | (0x7L << 12) | random.nextInt(1 << 12);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }

  long nowMicros() {
    return nowMicros;
  }

  int bands() {
    return bands;
  }
}
