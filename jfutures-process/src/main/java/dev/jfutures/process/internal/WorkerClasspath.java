package dev.jfutures.process.internal;

import dev.jfutures.TaskExecutor;
import dev.jfutures.process.Worker;
import java.io.File;
import java.io.IOException;
import java.lang.module.ResolvedModule;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringTokenizer;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The classpath of a {@code ProcessPool}'s worker JVMs ({@code java -cp CP dev.jfutures.process.Worker
 * ...}): checked when the user set one with {@code ProcessPool.Builder.classpath}, found otherwise.
 * Not API: the module {@code dev.jfutures.process} does not export this package.
 *
 * <p>Found, it is this JVM's own search order, every entry made absolute: the class path
 * ({@code java.class.path}), then the modules of the module path ({@code jdk.module.path}; workers
 * run them in the unnamed module, which serialization does not mind), then the {@code file:} URLs
 * of the {@link URLClassLoader}s above the loader of jfutures and above the calling thread's
 * context class loader, parents first (what {@code mvn exec:java} runs the application in). It
 * must reach the directories or jars this JVM loaded jfutures-process and jfutures-core from,
 * directly or through a jar manifest's {@code Class-Path}; when it cannot (a Spring Boot fat jar's
 * nested jars, classes defined by a class loader of another kind), there is no plain classpath to
 * give a worker, and {@link #resolve} says so and what to set.
 *
 * @since 0.1
 */
public final class WorkerClasspath {

    /*
     * Implementation notes.
     *
     * Why java.class.path alone is not enough (each case is a test in WorkerClasspathTest):
     *  - module path (java -p ... -m app/app.Main): java.class.path is empty;
     *  - mvn exec:java: java.class.path is Maven's launcher jar, and the project's classes and
     *    dependencies are the URLs of a ClassRealm (a URLClassLoader) that is the thread's context
     *    loader and the loader of jfutures;
     *  - java -jar app.jar, run from the jar's directory: java.class.path is "app.jar", relative,
     *    and a worker with workingDirectory(...) elsewhere finds nothing. Every entry is made
     *    absolute against this JVM's start directory, which is what this JVM resolved it against.
     * A worker that cannot load dev.jfutures.process.Worker would show only as three failed starts
     * and a broken pool, so build() fails at once instead, saying what to set.
     *
     * Invariant of a found classpath: it reaches the directory or jar of each of Worker and
     * TaskExecutor that this JVM actually loaded (their code sources), so a worker runs the
     * jfutures of its pool, and the search order is this JVM's, so on duplicates it picks what this
     * JVM picks. Reaching is checked lexically first (no file system access: the common case), then
     * by real path (the application class loader's code sources are real paths: symlinks resolved),
     * then through the Class-Path of the jars' manifests (surefire's booter jar, a java -jar
     * launcher jar); only these last open a jar, one manifest each, never scanning its entries.
     *
     * An explicit classpath is the user's order and entries, made absolute the same way (the check
     * reads them from this JVM's directory, so that is what they mean); wildcards ("lib/*") stay
     * wildcards for the worker's launcher to expand. It is checked for the two classes by one stat
     * per directory and one central-directory lookup per jar, in order, until both are found.
     *
     * Cost: this runs at every build(), and pool start is a benchmark target. Results are cached
     * per JVM by their inputs (the explicit string; or java.class.path, the code sources and the
     * class loaders' URLs), so a second build() with the same inputs costs the key and one lookup.
     * Only successes are cached: a failure is rare, and may be fixed on the file system. The first
     * call in a JVM is mostly class loading and interpreted code, so this class stays clear of what
     * loads the JDK's lambda or regex machinery (lambdas, ArrayDeque(Collection), String.split with
     * a regex, glob filters): with them, a java -jar program's first build() spent some 15 ms more.
     */

    /** What a worker JVM runs: {@code dev.jfutures.process.Worker}, as a resource name. */
    private static final String WORKER_RESOURCE = "dev/jfutures/process/Worker.class";
    /** A class of jfutures-core that every worker loads, as a resource name. */
    private static final String CORE_RESOURCE = "dev/jfutures/TaskExecutor.class";

    /**
     * Where this JVM loaded Worker and TaskExecutor from (null: no code source), and as text for
     * cache keys: fixed, as a class's code source is, and this class shares Worker's loader.
     */
    private static final URL WORKER_LOCATION = location(Worker.class);
    private static final URL CORE_LOCATION = location(TaskExecutor.class);
    private static final String LOCATIONS = WORKER_LOCATION + " " + CORE_LOCATION;

    /** The JDK's own directory: no entry under it goes on a worker's class path. */
    private static final Path JAVA_HOME = absolute(System.getProperty("java.home"));

    /** Results cached at most; more distinct inputs than that in one JVM is a program varying them. */
    private static final int CACHE_CAPACITY = 16;
    /** Successful results by their inputs; guarded by itself; emptied when full. */
    private static final Map<List<String>, String> CACHE = new HashMap<>();
    /** {@link #modulePathEntries()}, once computed: the boot layer never changes. */
    private static volatile List<Path> modulePath;

    private WorkerClasspath() {
    }

    /**
     * The classpath for worker JVMs.
     *
     * @param explicit the classpath the user set ({@code ProcessPool.Builder.classpath}), or null
     *     to find this JVM's
     * @return a classpath string (entries separated by {@link File#pathSeparator}), every entry
     *     absolute, reaching {@code dev.jfutures.process.Worker} and {@code dev.jfutures.TaskExecutor}
     * @throws IllegalStateException if {@code explicit} holds no directory or jar with one of those
     *     two classes; or, with {@code explicit} null, if the directory or jar this JVM loaded
     *     jfutures-core or jfutures-process from is not reachable from this JVM's class path, module
     *     path or class loaders' {@code file:} URLs. The message names what is missing, where it was
     *     found, and {@code ProcessPool.builder().classpath(...)} as the setting to change.
     * @since 0.1
     */
    public static String resolve(String explicit) {
        return explicit != null ? checked(explicit) : found();
    }

    // ============================================================================== explicit

    private static String checked(String explicit) {
        List<String> key = List.of("explicit", explicit);
        String cached = cached(key);
        if (cached != null) {
            return cached;
        }
        List<String> result = new ArrayList<>();
        List<Path> search = new ArrayList<>();
        for (String entry : split(explicit)) {
            boolean wildcard = entry.equals("*") || entry.endsWith(File.separator + "*");
            Path p = absolute(wildcard ? entry.substring(0, entry.length() - 1) : entry);
            if (p == null) {
                throw new IllegalStateException("ProcessPool.builder().classpath(\"" + explicit + "\"): \"" + entry
                        + "\" is not a valid path; give directories and jar files separated by " + File.pathSeparator);
            }
            result.add(wildcard ? p + File.separator + "*" : p.toString());
            search.addAll(wildcard ? jarsIn(p) : List.of(p));
        }
        boolean[] found = holds(search);
        if (!found[0] || !found[1]) {
            String what = !found[0] && !found[1] ? "jfutures-process and jfutures-core"
                    : !found[0] ? "jfutures-process" : "jfutures-core";
            String classes = !found[0] && !found[1] ? WORKER_RESOURCE + " and " + CORE_RESOURCE
                    : !found[0] ? WORKER_RESOURCE : CORE_RESOURCE;
            throw new IllegalStateException("ProcessPool.builder().classpath(\"" + explicit + "\") lacks " + what
                    + ", which every worker JVM runs: none of its directories and jars has " + classes
                    + ", nor does a jar their manifests' Class-Path names (relative entries read from "
                    + Path.of("").toAbsolutePath() + "). Add the jar or classes directory of " + what
                    + " to classpath(...), or leave classpath unset for the pool to find this JVM's own");
        }
        String cp = String.join(File.pathSeparator, result);
        cache(key, cp);
        return cp;
    }

    /**
     * Whether the directories and jars of {@code search}, with the jars their manifests' Class-Path
     * names, hold {@link #WORKER_RESOURCE} (index 0) and {@link #CORE_RESOURCE} (index 1). Stops as
     * soon as both are found; a manifest is followed only while one is still missing.
     */
    private static boolean[] holds(List<Path> search) {
        boolean[] found = new boolean[2];
        List<Path> queue = new ArrayList<>(search);
        Set<Path> seen = new HashSet<>();
        for (int next = 0; next < queue.size() && !(found[0] && found[1]); next++) {
            Path p = queue.get(next);
            if (!seen.add(p)) {
                continue;
            }
            if (Files.isDirectory(p)) {
                found[0] |= Files.isRegularFile(p.resolve(WORKER_RESOURCE));
                found[1] |= Files.isRegularFile(p.resolve(CORE_RESOURCE));
            } else if (Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile(), false)) {
                    found[0] |= jar.getEntry(WORKER_RESOURCE) != null;
                    found[1] |= jar.getEntry(CORE_RESOURCE) != null;
                    if (!(found[0] && found[1])) {
                        queue.addAll(manifestClassPath(p, jar));
                    }
                } catch (IOException | RuntimeException notAJar) {
                    // as for the JVM's own class path: an entry it cannot read holds nothing
                }
            }
        }
        return found;
    }

    /** The jars of {@code dir}, as the {@code java} launcher expands {@code dir/*}. */
    private static List<Path> jarsIn(Path dir) {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".jar") || name.endsWith(".JAR")) {
                    jars.add(f);
                }
            }
        } catch (IOException | RuntimeException notADirectory) {
            // the launcher expands it to nothing too
        }
        return jars;
    }

    // ============================================================================== found

    private static String found() {
        Class<?> worker = Worker.class;
        Class<?> core = TaskExecutor.class;
        String classPath = System.getProperty("java.class.path", "");

        // The URLClassLoaders above jfutures' loaders and the context loader, each chain parents
        // first (parent-first delegation makes a parent's entries win), each loader once.
        List<URL> loaderUrls = new ArrayList<>();
        Set<ClassLoader> walked = Collections.newSetFromMap(new IdentityHashMap<>());
        addLoaderUrls(worker.getClassLoader(), walked, loaderUrls);
        addLoaderUrls(core.getClassLoader(), walked, loaderUrls);
        addLoaderUrls(Thread.currentThread().getContextClassLoader(), walked, loaderUrls);

        StringBuilder urls = new StringBuilder();
        for (URL u : loaderUrls) {
            urls.append(u.toExternalForm()).append('\n');
        }
        List<String> key = List.of("found", classPath, LOCATIONS, urls.toString());
        String cached = cached(key);
        if (cached != null) {
            return cached;
        }

        Path workerPath = toPath(WORKER_LOCATION);
        Path corePath = toPath(CORE_LOCATION);
        if (workerPath == null || corePath == null) {
            throw notFound(worker, workerPath == null, core, corePath == null, "not a directory or jar file");
        }
        Set<Path> entries = new LinkedHashSet<>();
        for (String e : split(classPath)) {
            addEntry(entries, absolute(e));
        }
        entries.addAll(modulePathEntries());
        for (URL u : loaderUrls) {
            addEntry(entries, toPath(u));
        }
        List<Path> unreached = unreached(entries, List.of(workerPath, corePath));
        if (!unreached.isEmpty()) {
            throw notFound(worker, unreached.contains(workerPath), core, unreached.contains(corePath),
                    "on neither this JVM's class path (java.class.path), nor its module path (jdk.module.path), nor"
                    + " among the file: URLs of the URLClassLoaders above its loader or the thread's context loader");
        }
        StringBuilder cp = new StringBuilder();
        for (Path p : entries) {
            if (cp.length() > 0) {
                cp.append(File.pathSeparatorChar);
            }
            cp.append(p);
        }
        String result = cp.toString();
        cache(key, result);
        return result;
    }

    private static IllegalStateException notFound(Class<?> worker, boolean workerLost, Class<?> core,
            boolean coreLost, String why) {
        StringBuilder m = new StringBuilder("ProcessPool cannot find a classpath for its worker JVMs: ");
        if (workerLost) {
            m.append(lost("jfutures-process", worker, why));
        }
        if (workerLost && coreLost) {
            m.append("; and ");
        }
        if (coreLost) {
            m.append(lost("jfutures-core", core, why));
        }
        return new IllegalStateException(m.append(". Worker JVMs need a plain classpath of directories and jar"
                + " files (as for java -cp): pass ProcessPool.builder().classpath(...) with the jars or directories"
                + " that hold jfutures-core, jfutures-process and the task classes").toString());
    }

    /** "jfutures-core (dev.jfutures.TaskExecutor) was loaded by L from X, which is WHY". */
    private static String lost(String artifact, Class<?> c, String why) {
        ClassLoader l = c.getClassLoader();
        URL where = location(c);
        return artifact + " (" + c.getName() + ") was loaded by "
                + (l == null ? "the boot class loader" : l.getClass().getName())
                + (where == null ? " with no code source" : " from " + where + ", which is " + why);
    }

    private static URL location(Class<?> c) {
        ProtectionDomain pd = c.getProtectionDomain();
        CodeSource cs = pd == null ? null : pd.getCodeSource();
        return cs == null ? null : cs.getLocation();
    }

    private static void addLoaderUrls(ClassLoader loader, Set<ClassLoader> walked, List<URL> out) {
        ArrayDeque<URLClassLoader> chain = new ArrayDeque<>();
        for (ClassLoader l = loader; l != null && walked.add(l); l = l.getParent()) {
            // The JDK's application and platform loaders are no URLClassLoaders; not testing them
            // spares the common case loading that class, at each JVM's first build().
            if (!l.getClass().getName().startsWith("jdk.internal.loader.") && l instanceof URLClassLoader) {
                chain.push((URLClassLoader) l);
            }
        }
        for (URLClassLoader u : chain) {
            Collections.addAll(out, u.getURLs());
        }
    }

    /** Adds a class path entry, unless it is null (not a file path) or the JDK's own. */
    private static void addEntry(Set<Path> entries, Path p) {
        if (p != null && !p.startsWith(JAVA_HOME)) {
            entries.add(p);
        }
    }

    /**
     * The targets (directories or jars) not reachable from {@code entries}: not among them, by
     * name or by real path, nor named (transitively) by the Class-Path of a jar among them.
     */
    private static List<Path> unreached(Set<Path> entries, List<Path> targets) {
        List<Path> lost = new ArrayList<>(targets);
        lost.removeAll(entries);
        if (lost.isEmpty()) {
            return lost;
        }
        Map<Path, Path> realOf = new HashMap<>();
        for (Path t : lost) {
            realOf.put(real(t), t);
        }
        // By real path first (one stat each, no jar opened), then through the manifests.
        List<Path> queue = new ArrayList<>();
        for (Path e : entries) {
            Path r = real(e);
            if (realOf.remove(r) != null && realOf.isEmpty()) {
                return List.of();
            }
            queue.add(r);
        }
        Set<Path> seen = new HashSet<>(queue);
        for (int next = 0; next < queue.size(); next++) {
            Path jar = queue.get(next);
            if (!Files.isRegularFile(jar)) {
                continue;
            }
            for (Path named : manifestClassPath(jar)) {
                Path r = real(named);
                if (realOf.remove(r) != null && realOf.isEmpty()) {
                    return List.of();
                }
                if (seen.add(r)) {
                    queue.add(r);
                }
            }
        }
        return new ArrayList<>(realOf.values());
    }

    // ============================================================================== module path

    /**
     * The modules this JVM resolved from its module path, in module path order: fixed for the life
     * of the JVM (the boot layer cannot change), so computed once. Their locations, not the module
     * path's entries, because an entry may be a directory of modular jars, which on a class path
     * would hold nothing; and only the resolved ones, which are all this JVM can load classes from.
     */
    private static List<Path> modulePathEntries() {
        List<Path> entries = modulePath;
        if (entries == null) {
            // A race computes the same list twice; the boot layer is the same for both.
            entries = resolvedModules(System.getProperty("jdk.module.path", ""));
            modulePath = entries;
        }
        return entries;
    }

    private static List<Path> resolvedModules(String mp) {
        if (mp.isEmpty()) {
            return List.of();
        }
        List<Path> order = new ArrayList<>();
        for (String e : split(mp)) {
            order.add(absolute(e));
        }
        List<Path> modules = new ArrayList<>();
        for (ResolvedModule m : ModuleLayer.boot().configuration().modules()) {
            URI location = m.reference().location().orElse(null);
            Path p = location == null ? null : toPath(location);
            if (p != null && !p.startsWith(JAVA_HOME)) {
                modules.add(p);
            }
        }
        // By module path entry, then by name within a directory of modules (no lambda: this may be
        // the JVM's first, and bootstrapping one costs milliseconds)
        List<Path> sorted = new ArrayList<>();
        for (int i = 0; i <= order.size(); i++) {
            TreeMap<String, Path> entry = new TreeMap<>();
            for (Path p : modules) {
                if (rank(order, p) == i) {
                    entry.put(p.toString(), p);
                }
            }
            sorted.addAll(entry.values());
        }
        return List.copyOf(sorted);
    }

    /** The index of the module path entry that is {@code module} or its directory. */
    private static int rank(List<Path> order, Path module) {
        for (int i = 0; i < order.size(); i++) {
            Path e = order.get(i);
            if (module.equals(e) || e != null && e.equals(module.getParent())) {
                return i;
            }
        }
        return order.size();
    }

    // ============================================================================== paths

    /** The non-empty entries of a path list (the JDK skips empty ones too). */
    private static List<String> split(String pathList) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (from <= pathList.length()) {
            int to = pathList.indexOf(File.pathSeparatorChar, from);
            if (to < 0) {
                to = pathList.length();
            }
            if (to > from) {
                out.add(pathList.substring(from, to));
            }
            from = to + 1;
        }
        return out;
    }

    /** {@code path} absolute (against this JVM's start directory) and normalized; null if invalid. */
    private static Path absolute(String path) {
        try {
            return Path.of(path).toAbsolutePath().normalize();
        } catch (IllegalArgumentException invalid) {
            // InvalidPathException: a path this file system cannot hold, which the JVM skips too
            return null;
        }
    }

    /** The path of a {@code file:} URL, or null for no URL or any other scheme. */
    private static Path toPath(URL url) {
        if (url == null || !"file".equalsIgnoreCase(url.getProtocol())) {
            return null;
        }
        try {
            return toPath(URI.create(url.toExternalForm()));
        } catch (IllegalArgumentException unencoded) {
            // File.toURL() leaves spaces and the like unencoded: the path is then the text itself
            return absolute(url.getPath());
        }
    }

    private static Path toPath(URI uri) {
        if (!"file".equalsIgnoreCase(uri.getScheme())) {
            return null;
        }
        try {
            return Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException notAPlainPath) {
            // a host (file://server/share) or a query: keep the path part, as URLClassPath does
            return uri.getPath() == null ? null : absolute(uri.getPath());
        }
    }

    /** The real path (symlinks resolved), or the path itself if it does not exist. */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException | RuntimeException e) {
            return p;
        }
    }

    private static List<Path> manifestClassPath(Path jar) {
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            return manifestClassPath(jar, f);
        } catch (IOException | RuntimeException notAJar) {
            return List.of();
        }
    }

    /**
     * The {@code file:} entries of a jar's manifest Class-Path, resolved against the jar's URL, as
     * the JDK's class loader resolves them (relative URLs, separated by spaces).
     */
    private static List<Path> manifestClassPath(Path jarPath, JarFile jar) throws IOException {
        Manifest mf = jar.getManifest();
        String classPath = mf == null ? null : mf.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        if (classPath == null || classPath.isBlank()) {
            return List.of();
        }
        URL base = jarPath.toUri().toURL();
        List<Path> out = new ArrayList<>();
        for (StringTokenizer tokens = new StringTokenizer(classPath); tokens.hasMoreTokens(); ) {
            try {
                Path p = toPath(new URL(base, tokens.nextToken()));
                if (p != null) {
                    out.add(p);
                }
            } catch (IOException malformed) {
                // the JDK skips an entry it cannot parse
            }
        }
        return out;
    }

    // ============================================================================== cache

    private static String cached(List<String> key) {
        synchronized (CACHE) {
            return CACHE.get(key);
        }
    }

    private static void cache(List<String> key, String classpath) {
        synchronized (CACHE) {
            if (CACHE.size() >= CACHE_CAPACITY) {
                CACHE.clear();
            }
            CACHE.put(key, classpath);
        }
    }
}
