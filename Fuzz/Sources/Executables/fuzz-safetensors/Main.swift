import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "safetensors") { FuzzDriver.run("safetensors", $0, $1) }
    }
}
