package dev.extsvc.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Checks a document file before it is read whole, so that a huge file is refused without loading
 * it.
 */
final class DocumentFiles {
  private static final int SNIFF_BYTES = 4096;

  private DocumentFiles() {}

  /** Why the file cannot be registered, or null when it may be read. */
  static @Nullable String tooLargeOrUnreadable(Path file, long maxJsonBytes, long maxYamlBytes) {
    try {
      if (!Files.isRegularFile(file)) {
        return Files.exists(file)
            ? "cannot read " + file + ": it is not a file"
            : "cannot read " + file + ": no such file";
      }
      long size = Files.size(file);
      if (size <= Math.min(maxJsonBytes, maxYamlBytes)) {
        return null;
      }
      SourceDocument.Format format = SourceDocument.detect(sniff(file));
      long limit = format == SourceDocument.Format.JSON ? maxJsonBytes : maxYamlBytes;
      return size > limit ? SourceDocument.tooLarge(size, format, limit) : null;
    } catch (NoSuchFileException e) {
      return "cannot read " + file + ": no such file";
    } catch (IOException e) {
      return "cannot read " + file + ": " + e.getMessage();
    }
  }

  private static String sniff(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      String start = new String(in.readNBytes(SNIFF_BYTES), StandardCharsets.UTF_8);
      return start.startsWith("\uFEFF") ? start.substring(1) : start;
    }
  }
}
