/** A user's application on the module path: it names only the process pool's module. */
module dev.jfutures.consumer {
    requires dev.jfutures.process;
}
