#define BOOST_TEST_MODULE gem_server
#include <boost/test/unit_test.hpp>
