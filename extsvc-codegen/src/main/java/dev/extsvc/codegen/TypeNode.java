package dev.extsvc.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.NameAllocator;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A generated type still being built, with the types nested in it. Kept open until the end because
 * a record learns late that it implements a sealed interface (when a later oneOf lists it).
 */
final class TypeNode {
  final ClassName name;
  final TypeSpec.Builder builder;
  final boolean record;
  boolean isInterface;
  private final @Nullable TypeNode parent;
  private final List<TypeNode> children = new ArrayList<>();
  private final NameAllocator nestedNames;

  TypeNode(ClassName name, TypeSpec.Builder builder, boolean record, @Nullable TypeNode parent) {
    this.name = name;
    this.builder = builder;
    this.record = record;
    this.parent = parent;
    // A nested type may not share a name with any type enclosing it.
    Set<String> enclosing = new HashSet<>(Names.RESERVED_TYPE_NAMES);
    for (ClassName c = name; c != null; c = c.enclosingClassName()) {
      enclosing.add(c.simpleName());
    }
    this.nestedNames = Names.allocator(enclosing);
    if (parent != null) {
      parent.children.add(this);
    }
  }

  /** A fresh nested type name from a suggestion ("Address", "Address_" on a clash). */
  ClassName nestedName(String suggestion) {
    return name.nestedClass(nestedNames.newName(suggestion));
  }

  @Nullable TypeNode parent() {
    return parent;
  }

  TypeSpec build() {
    children.forEach(c -> builder.addType(c.build()));
    return builder.build();
  }
}
