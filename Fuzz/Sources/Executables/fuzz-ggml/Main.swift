import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "ggml") { FuzzDriver.run("ggml", $0, $1) }
    }
}
