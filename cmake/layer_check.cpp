// Empty: a layer is linked whole into this shared object to check that it
// calls nothing above it (src/CMakeLists.txt, dagger_layer).
