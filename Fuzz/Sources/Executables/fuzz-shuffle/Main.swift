import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "shuffle") { FuzzDriver.run("shuffle", $0, $1) }
    }
}
