import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "gguf") { FuzzDriver.run("gguf", $0, $1) }
    }
}
