import FuzzTargets

@main enum Main {
    static func main() {
        FuzzDriver.main(target: "huffman") { FuzzDriver.run("huffman", $0, $1) }
    }
}
