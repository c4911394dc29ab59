package dev.extsvc.maven;

import dev.extsvc.codegen.JavaClientGenerator;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * Generates the typed client of an OpenAPI spec (with callbacks) and adds it to the compile
 * sources. A thin wrapper over {@link JavaClientGenerator}: a spec with errors fails the build with
 * the registration report.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractMojo {
  /** The OpenAPI 3.0/3.1 document, JSON or YAML. */
  @Parameter(property = "extsvc.specPath", required = true)
  private File specPath;

  /** The package of the generated types, e.g. {@code com.acme.mortgages}. */
  @Parameter(property = "extsvc.packageName", required = true)
  private String packageName;

  /** The source root the files are written under. */
  @Parameter(
      property = "extsvc.outputDirectory",
      defaultValue = "${project.build.directory}/generated-sources/extsvc",
      required = true)
  private File outputDirectory;

  /** Skips generation. */
  @Parameter(property = "extsvc.skip", defaultValue = "false")
  private boolean skip;

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("extsvc generation skipped");
      return;
    }
    StringWriter messages = new StringWriter();
    int exit =
        JavaClientGenerator.generate(
            specPath.toPath(), packageName, outputDirectory.toPath(), new PrintWriter(messages));
    String report = messages.toString().strip();
    if (exit != 0) {
      report.lines().forEach(getLog()::error);
      throw new MojoFailureException(
          "extsvc: no client generated from " + specPath + ":\n" + report);
    }
    report.lines().forEach(getLog()::warn);
    project.addCompileSourceRoot(outputDirectory.getPath());
    getLog()
        .info("extsvc: generated the client of " + specPath.getName() + " into " + outputDirectory);
  }
}
