import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "quant") { FuzzDriver.run("quant", $0, $1) }
    }
}
