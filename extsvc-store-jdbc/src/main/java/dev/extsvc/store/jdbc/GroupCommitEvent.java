package dev.extsvc.store.jdbc;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * One transaction of a group-committing writer ({@link GroupWriter}, {@link SqliteWriter}) in a JFR
 * recording: how many writes shared it and how long it took, so that a recording under load shows
 * whether group commit groups. Costs nothing when no recording asks for it.
 */
@Name("extsvc.GroupCommit")
@Label("Group commit")
@Category({"extsvc", "Store"})
@Description("Writes of concurrent callers run and committed in one transaction")
final class GroupCommitEvent extends Event {
  @Label("Database")
  String database = "";

  @Label("Writes")
  @Description("Units of work in the transaction")
  int writes;
}
